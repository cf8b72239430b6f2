package dev.socketpair.internal;

/**
 * How the {@link Poller} learns that a descriptor a virtual thread waits on is ready: one implementation
 * per readiness interface of the kernel, chosen once by {@link Poller#start()} as
 * {@link dev.socketpair.internal.platform.Features#epoll()} says: epoll(7) sub-pollers and a master
 * (Linux), or a poll(2) thread ({@link PollPoller}; FreeBSD, DragonFly, macOS, and portable mode).
 *
 * <p>Each direction of a descriptor has at most one waiter at a time; a waiter may be woken spuriously,
 * and tries its transfer again. Safe for use by multiple threads.
 */
interface PollerBackend {

    /**
     * Registers the current thread to be unparked once {@code fd} is ready for reading (or writing). The
     * caller holds {@code fd} open, parks, and then calls {@link #disarm}, whatever woke it.
     *
     * @return 0, or {@code -errno} (and nothing is registered)
     */
    int arm(int fd, boolean reading, NativeScratch scratch);

    /** Forgets the current thread's registration after it has woken, whatever woke it. */
    void disarm(int fd, boolean reading);

    /**
     * Registers the current thread to be unparked by a platform thread once {@code fd} (an epoll set's,
     * say) is readable, so that it is released even if it stays pinned to its carrier while it waits, as
     * a selecting thread does on JDK 22 and 23, and virtual pollers might get no carrier to run on. The
     * caller then parks and calls {@link #disarmDirect}, whatever woke it.
     *
     * @return 0, or {@code -errno} (and nothing is registered)
     */
    int armDirect(int fd, NativeScratch scratch);

    /** Forgets a registration made by {@link #armDirect} after the thread has woken. */
    void disarmDirect(int fd);

    /** Unparks the thread waiting on {@code fd} for reading (or writing), if any. */
    void wakeup(int fd, boolean reading);

    /**
     * Takes {@code fd} out of whatever the backend watches; for its owner's close, before close(2),
     * while the number still names the socket, once no thread waits on it. Returns once no call of the
     * backend holds the socket's file, so that close(2) ends the socket at once.
     */
    void forget(int fd);
}

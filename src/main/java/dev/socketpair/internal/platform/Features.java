package dev.socketpair.internal.platform;

/**
 * What the running system offers beyond plain POSIX, for the code above the platform seam to ask by
 * facility, never by the system's name: where a facility is missing, that code takes a fallback that
 * gives the same result with more calls (and, where the facility made something atomic, a window that
 * each fallback documents).
 *
 * <p>Linux with glibc 2.34 or later offers all of them; macOS none (no {@code SOCK_CLOEXEC} or
 * {@code SOCK_NONBLOCK}, no {@code MSG_CMSG_CLOEXEC}, no {@code posix_spawn_file_actions_addclosefrom_np},
 * no epoll); FreeBSD and DragonFly lack epoll, and DragonFly, musl and older glibc lack closefrom.
 * Portable mode, {@code -Ddev.socketpair.portable=true}, makes every facility count as missing, so that
 * each fallback runs, and can be tested, on a system that has the facility.
 *
 * <p>Decided once, from the system property, with no system call; safe for use by multiple threads.
 */
public final class Features {

    /** The system property that turns portable mode on when it is {@code true}. */
    public static final String PORTABLE_PROPERTY = "dev.socketpair.portable";

    private static final boolean PORTABLE = Boolean.getBoolean(PORTABLE_PROPERTY);

    private Features() {
    }

    /** {@return whether portable mode is on: every facility below then counts as missing} */
    public static boolean portable() {
        return PORTABLE;
    }

    /**
     * {@return whether socketpair(2) takes {@code SOCK_CLOEXEC} and {@code SOCK_NONBLOCK} in its type
     * and applies them atomically}; without them the flags are applied with fcntl(2) after the call.
     */
    public static boolean atomicSocketFlags() {
        return !PORTABLE;
    }

    /**
     * {@return whether recvmsg(2) takes {@code MSG_CMSG_CLOEXEC}, installing received descriptors
     * close-on-exec}; without it each is made close-on-exec with fcntl(2) right after the call.
     */
    public static boolean receivesCloseOnExec() {
        return !PORTABLE;
    }

    /**
     * {@return whether the C library may have {@code posix_spawn_file_actions_addclosefrom_np}}; where
     * this is true and the function is missing all the same (glibc before 2.34, musl), the call reports
     * {@code ENOSYS} and the caller takes the same fallback as where this is false.
     */
    public static boolean closesFrom() {
        return !PORTABLE;
    }

    /**
     * {@return whether the kernel has epoll(7)}; without it a selector passes its whole interest list to
     * poll(2) at each wait, and one platform thread waits in poll(2) for the descriptors virtual threads
     * wait on, instead of the epoll pollers.
     */
    public static boolean epoll() {
        return !PORTABLE;
    }
}

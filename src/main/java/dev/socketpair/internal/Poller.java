package dev.socketpair.internal;

import dev.socketpair.internal.libc.ErrnoValues;
import dev.socketpair.internal.libc.Libc;
import dev.socketpair.internal.libc.epoll_data;
import dev.socketpair.internal.libc.epoll_event;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Parks virtual threads until their socket is ready, so that a virtual thread waiting on a channel
 * never holds its carrier (a downcall that blocks would pin it). One platform thread per direction
 * waits in epoll_wait(2) on one-shot registrations and unparks the thread registered for each
 * descriptor that becomes ready.
 *
 * <p>A direction of a channel has at most one waiter at a time (its lock sees to it), so waiters are
 * keyed by descriptor. A wake-up may be spurious: a waiter always tries its transfer again, and waits
 * again if it would still block. The pollers and their threads are created on first use.
 */
public final class Poller {

    private static final int MAX_EVENTS = 64;

    private static volatile boolean started;

    private final int epfd;
    private final int interest;
    private final Waiters waiters = new Waiters();

    private Poller(String name, int interest) {
        try (Arena arena = Arena.ofConfined()) {
            epfd = Syscalls.epoll_create1(Libc.EPOLL_CLOEXEC(), Syscalls.allocateErrnoCapture(arena));
        }
        if (epfd < 0) {
            throw new IllegalStateException("epoll_create1: " + Errno.name(-epfd) + " (" + Errno.description(-epfd) + ")");
        }
        this.interest = interest | Libc.EPOLLONESHOT();
        // Initialise the struct classes both sides use before the poller thread starts: a virtual thread
        // that waits for another thread to initialise a class is pinned while it waits.
        epoll_event.sizeof();
        epoll_data.sizeof();
        Thread.ofPlatform().name(name).daemon().start(this::pollLoop);
    }

    private static final class Pollers {
        static final Poller READ = new Poller("socketpair-read-poller", Libc.EPOLLIN() | Libc.EPOLLRDHUP());
        static final Poller WRITE = new Poller("socketpair-write-poller", Libc.EPOLLOUT());

        static {
            started = true;
        }
    }

    /** The poller for readiness to read. */
    static Poller reading() {
        return Pollers.READ;
    }

    /** The poller for readiness to write. */
    static Poller writing() {
        return Pollers.WRITE;
    }

    /** Unparks whatever virtual thread waits on {@code fd} in either direction; used when closing. */
    static void wakeupAll(int fd) {
        if (started) {
            Pollers.READ.wakeup(fd);
            Pollers.WRITE.wakeup(fd);
        }
    }

    /**
     * Registers the current thread to be unparked once {@code fd} is ready: re-arms the one-shot
     * registration, or adds it if the descriptor is new to this poller.
     *
     * @return 0, or {@code -errno} (and nothing is registered)
     */
    int arm(int fd, NativeScratch scratch) {
        waiters.set(fd, Thread.currentThread());
        MemorySegment event = scratch.epollEvent();
        epoll_event.events(event, interest);
        epoll_data.fd(epoll_event.data(event), fd);
        int r = Syscalls.epoll_ctl(epfd, Libc.EPOLL_CTL_MOD(), fd, event, scratch.errno());
        if (r == -ErrnoValues.ENOENT()) {
            r = Syscalls.epoll_ctl(epfd, Libc.EPOLL_CTL_ADD(), fd, event, scratch.errno());
        }
        if (r < 0) {
            waiters.remove(fd, Thread.currentThread());
        }
        return r;
    }

    /** Forgets the current thread's registration after it has woken, whatever woke it. */
    void disarm(int fd) {
        waiters.remove(fd, Thread.currentThread());
    }

    /** Unparks the thread waiting on {@code fd}, if any. */
    void wakeup(int fd) {
        Thread waiter = waiters.take(fd);
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * The thread waiting on each descriptor: a two-level table indexed by descriptor number, so that
     * registering allocates nothing once a number's block exists (a map would box the number and make
     * a node per registration).
     */
    private static final class Waiters {
        private static final int BLOCK = 1024;
        private final AtomicReferenceArray<AtomicReferenceArray<Thread>> blocks = new AtomicReferenceArray<>(1024);
        private final ConcurrentHashMap<Integer, Thread> beyond = new ConcurrentHashMap<>();

        void set(int fd, Thread thread) {
            AtomicReferenceArray<Thread> block = block(fd, true);
            if (block == null) {
                beyond.put(fd, thread);
            } else {
                block.set(fd % BLOCK, thread);
            }
        }

        /** Removes and returns the waiter of {@code fd}, if any. */
        Thread take(int fd) {
            AtomicReferenceArray<Thread> block = block(fd, false);
            if (block != null) {
                return block.getAndSet(fd % BLOCK, null);
            }
            return fd / BLOCK < blocks.length() ? null : beyond.remove(fd);
        }

        /** Removes {@code thread} as the waiter of {@code fd} if it still is. */
        void remove(int fd, Thread thread) {
            AtomicReferenceArray<Thread> block = block(fd, false);
            if (block != null) {
                block.compareAndSet(fd % BLOCK, thread, null);
            } else if (fd / BLOCK >= blocks.length()) {
                beyond.remove(fd, thread);
            }
        }

        private AtomicReferenceArray<Thread> block(int fd, boolean create) {
            int index = fd / BLOCK;
            if (index >= blocks.length()) {
                return null;
            }
            AtomicReferenceArray<Thread> block = blocks.get(index);
            if (block == null && create) {
                blocks.compareAndSet(index, null, new AtomicReferenceArray<>(BLOCK));
                block = blocks.get(index);
            }
            return block;
        }
    }

    private void pollLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = epoll_event.allocateArray(MAX_EVENTS, arena);
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            for (;;) {
                int n = Syscalls.epoll_wait(epfd, events, MAX_EVENTS, -1, capture);
                if (n < 0) {
                    if (n == -Errno.EINTR) {
                        continue;
                    }
                    throw new AssertionError("epoll_wait: " + Errno.name(-n));
                }
                for (int i = 0; i < n; i++) {
                    wakeup(epoll_data.fd(epoll_event.data(epoll_event.asSlice(events, i))));
                }
            }
        }
    }
}

package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Features;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Parks virtual threads until their socket is ready, so that a virtual thread waiting on a channel
 * never holds its carrier (a downcall that blocks would pin it).
 *
 * <p>The pollers for reading and for writing each own an epoll instance with one-shot registrations,
 * and each runs in a virtual thread of its own: it polls without blocking, unparks the thread
 * registered for each descriptor that is ready, yields, and polls again. Only when a poll finds nothing
 * does it park, after registering its epoll descriptor with a master poller, a platform thread that
 * waits in epoll_wait(2) for any sub-poller to have events. While sockets keep becoming ready, waking a
 * waiter therefore costs no switch between kernel threads: the sub-poller and the threads it unparks
 * take turns on the same carriers. (The JDK schedules its own pollers the same way.)
 *
 * <p>A direction of a channel has at most one waiter at a time (its lock sees to it), so waiters are
 * keyed by descriptor. A wake-up may be spurious: a waiter always tries its transfer again, and waits
 * again if it would still block. The pollers and their threads are made by the first wait
 * ({@link #start()}), never by a class initialiser: making them can fail for want of descriptors.
 *
 * <p>That is the epoll backend, whose pollers are instances of this class. Where the system has no
 * epoll ({@link Features#epoll()}), {@link #start()} makes the {@link PollPoller} instead: one platform
 * thread in poll(2). The static methods here serve either, through {@link PollerBackend}.
 */
public final class Poller {

    private static final CLibrary C = Platform.current().library();
    private static final int EPOLLONESHOT = C.constant("EPOLLONESHOT");
    private static final int EPOLLIN = C.constant("EPOLLIN");
    private static final int EPOLLRDHUP = C.constant("EPOLLRDHUP");
    private static final int EPOLLOUT = C.constant("EPOLLOUT");
    private static final int EPOLL_CLOEXEC = C.constant("EPOLL_CLOEXEC");
    private static final int EPOLL_CTL_DEL = C.constant("EPOLL_CTL_DEL");
    private static final int EPOLL_CTL_MOD = C.constant("EPOLL_CTL_MOD");
    private static final int EPOLL_CTL_ADD = C.constant("EPOLL_CTL_ADD");
    private static final long EVENT_SIZE = Structs.Epoll.EPOLL_EVENT.byteSize();
    private static final int ENOENT = C.errno("ENOENT");

    private static final int MAX_EVENTS = 64;
    /** How often a sub-poller that the master could not register polls. */
    private static final long UNREGISTERED_POLL_NANOS = 1_000_000;

    /** The pollers, once {@link #start()} has made them; they then live as long as the process. */
    private static volatile PollerBackend pollers;
    // Serialises the making of the pollers, so that concurrent first waits make one set.
    private static final ReentrantLock CREATION = new ReentrantLock();

    /** Why {@link #start()} could not make the pollers: the call that failed, and its errno. */
    public record StartFailure(String syscall, int errno) {
    }

    /** The epoll backend: a master poller, and a sub-poller for each direction. */
    private record EpollPollers(Poller master, Poller read, Poller write) implements PollerBackend {

        private Poller of(boolean reading) {
            return reading ? read : write;
        }

        @Override
        public int arm(int fd, boolean reading, NativeScratch scratch) {
            return of(reading).arm(fd, scratch);
        }

        @Override
        public void disarm(int fd, boolean reading) {
            of(reading).disarm(fd);
        }

        /** With the master poller, whose platform thread unparks a waiter directly. */
        @Override
        public int armDirect(int fd, NativeScratch scratch) {
            return master.arm(fd, scratch);
        }

        @Override
        public void disarmDirect(int fd) {
            master.disarm(fd);
        }

        @Override
        public void wakeup(int fd, boolean reading) {
            of(reading).wakeup(fd);
        }

        @Override
        public void forget(int fd) {
            Poller.forget(this, fd);
        }
    }

    private final int epfd;
    private final int interest;
    private final Waiters waiters = new Waiters();

    private Poller(int epfd, int interest) {
        this.epfd = epfd;
        this.interest = interest | EPOLLONESHOT;
    }

    /**
     * Makes the pollers and starts their threads, unless that is done: on the first wait of a virtual
     * thread, not in a class initialiser, so that a failure (EMFILE, say) fails that one wait, leaves
     * nothing behind, and the next wait tries again. May block while another thread makes them.
     *
     * @return null, or the call that failed: epoll_create1(2), or with poll(2) socketpair(2) (or fcntl(2)
     *         in portable mode) for the poll thread's wake-up pair
     */
    public static StartFailure start() {
        if (pollers != null) {
            return null;
        }
        CREATION.lock();
        try {
            if (pollers != null) {
                return null;
            }
            if (!Features.epoll()) {
                PollPoller.Opened opened = PollPoller.open();
                if (opened.poller() == null) {
                    return new StartFailure(opened.syscall(), opened.errno());
                }
                pollers = opened.poller();
                return null;
            }
            int[] epfds = new int[3];
            for (int i = 0; i < epfds.length; i++) {
                epfds[i] = epollCreate();
                if (epfds[i] < 0) {
                    closeAll(epfds, i);
                    return new StartFailure("epoll_create1", -epfds[i]);
                }
            }
            Poller master = new Poller(epfds[0], EPOLLIN);
            Poller read = new Poller(epfds[1], EPOLLIN | EPOLLRDHUP);
            Poller write = new Poller(epfds[2], EPOLLOUT);
            master.initialiseCalls();
            try {
                Thread.ofPlatform().name("socketpair-master-poller").daemon().start(master::masterLoop);
            } catch (Throwable noThread) {
                // No thread for the master (out of memory or processes): the next wait tries again.
                closeAll(epfds, epfds.length);
                throw noThread;
            }
            Thread.ofVirtual().name("socketpair-read-poller").start(() -> read.subPollerLoop(master));
            Thread.ofVirtual().name("socketpair-write-poller").start(() -> write.subPollerLoop(master));
            pollers = new EpollPollers(master, read, write);
            return null;
        } finally {
            CREATION.unlock();
        }
    }

    /** A close-on-exec epoll instance. @return its descriptor, or {@code -errno} */
    private static int epollCreate() {
        try (Arena arena = Arena.ofConfined()) {
            return Syscalls.epoll_create1(EPOLL_CLOEXEC, Syscalls.allocateErrnoCapture(arena));
        }
    }

    private static void closeAll(int[] fds, int count) {
        for (int i = 0; i < count; i++) {
            SocketControl.close(fds[i]);
        }
    }

    /**
     * Initialises, in the thread that creates the pollers, every class the poller threads use: a
     * virtual thread that waits for another thread to initialise a class is pinned while it waits.
     */
    private void initialiseCalls() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(Structs.Epoll.EPOLL_EVENT);
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            Structs.Epoll.DATA_FD.set(event, -1);
            // Both calls fail or find nothing (no descriptor -1, no registration yet); what matters is
            // that their handles are linked.
            Syscalls.epoll_ctl(epfd, EPOLL_CTL_DEL, -1, event, capture);
            poll(0, arena.allocate(Structs.Epoll.EPOLL_EVENT, MAX_EVENTS), capture);
        }
    }

    /** The pollers, which {@link #start()} must have made. */
    static PollerBackend started() {
        PollerBackend started = pollers;
        if (started == null) {
            throw new IllegalStateException("the pollers are not started");
        }
        return started;
    }

    /**
     * Unparks whatever virtual thread waits on {@code fd} in either direction; used when closing a
     * descriptor that a virtual thread has waited on. Makes no pollers: where there are none, no
     * thread can wait in one.
     */
    static void wakeupAll(int fd) {
        wakeup(fd, true);
        wakeup(fd, false);
    }

    /**
     * Unparks whatever virtual thread waits on {@code fd} for reading (or writing); used when that
     * direction is shut down. Makes no pollers: where there are none, no thread can wait in one.
     */
    static void wakeup(int fd, boolean reading) {
        PollerBackend started = pollers;
        if (started != null) {
            started.wakeup(fd, reading);
        }
    }

    /**
     * Takes {@code fd} out of whatever the pollers watch, where it is if a virtual thread ever waited on
     * it, as {@link PollerBackend#forget} says; for its owner's close, before close(2), while the number
     * still names the socket. Makes no pollers: where there are none, nothing holds the descriptor.
     */
    static void forget(int fd) {
        PollerBackend started = pollers;
        if (started != null) {
            started.forget(fd);
        }
    }

    /** Deletes {@code fd} from the epoll sub-pollers' sets, where it is if a virtual thread waited on it. */
    private static void forget(EpollPollers started, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            // ENOENT where no thread waited in that direction: nothing to take out.
            Syscalls.epoll_ctl(started.read().epfd, EPOLL_CTL_DEL, fd, MemorySegment.NULL, capture);
            Syscalls.epoll_ctl(started.write().epfd, EPOLL_CTL_DEL, fd, MemorySegment.NULL, capture);
        }
    }

    /**
     * Registers the current thread to be unparked once {@code fd} is ready: re-arms the one-shot
     * registration, or adds it if the descriptor is new to this poller.
     *
     * @return 0, or {@code -errno} (and nothing is registered)
     */
    int arm(int fd, NativeScratch scratch) {
        return arm(fd, scratch.epollEvent(), scratch.errno());
    }

    private int arm(int fd, MemorySegment event, MemorySegment capture) {
        waiters.set(fd, Thread.currentThread());
        Structs.Epoll.EVENTS.set(event, interest);
        Structs.Epoll.DATA_FD.set(event, fd);
        int r = Syscalls.epoll_ctl(epfd, EPOLL_CTL_MOD, fd, event, capture);
        if (r == -ENOENT) {
            r = Syscalls.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, event, capture);
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
    static final class Waiters {
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

    /** Waits for any sub-poller to have events, and unparks it; runs in a platform thread. */
    private void masterLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(Structs.Epoll.EPOLL_EVENT, MAX_EVENTS);
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            for (;;) {
                poll(-1, events, capture);
            }
        }
    }

    /**
     * Polls without blocking for as long as there are events, yielding between polls so that the
     * threads it unparks run; parks on the master poller when a poll finds nothing. Runs in a virtual
     * thread.
     */
    private void subPollerLoop(Poller master) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(Structs.Epoll.EPOLL_EVENT, MAX_EVENTS);
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            MemorySegment registration = arena.allocate(Structs.Epoll.EPOLL_EVENT);
            int polled = 0;
            for (;;) {
                if (polled == 0) {
                    if (master.arm(epfd, registration, capture) == 0) {
                        LockSupport.park(this);
                        master.disarm(epfd);
                    } else {
                        // The master could not take the registration (ENOMEM, or the per-user limit of
                        // epoll watches): poll on a short timer rather than leave every waiter parked.
                        LockSupport.parkNanos(this, UNREGISTERED_POLL_NANOS);
                    }
                } else {
                    Thread.yield();
                }
                polled = poll(0, events, capture);
            }
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: without limit, 0: not at all) for events and unparks the
     * thread waiting on each ready descriptor.
     *
     * @return the number of descriptors found ready
     */
    private int poll(int timeoutMillis, MemorySegment events, MemorySegment capture) {
        int n = Syscalls.epoll_wait(epfd, events, MAX_EVENTS, timeoutMillis, capture);
        if (n < 0) {
            if (n == -Errno.EINTR) {
                return 0;
            }
            throw new AssertionError("epoll_wait: " + Errno.name(-n));
        }
        for (int i = 0; i < n; i++) {
            wakeup(Structs.Epoll.DATA_FD.getInt(events, i * EVENT_SIZE));
        }
        return n;
    }
}

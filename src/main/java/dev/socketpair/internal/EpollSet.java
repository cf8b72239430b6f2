package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernel side of a selector: an epoll(7) instance, the socket pair that wakes a thread waiting on
 * it, and the native memory its calls use.
 *
 * <p>Wake-up. Another thread must be able to release a thread waiting on the set. The JDK puts an
 * eventfd(2) in its set; this library binds no eventfd (nor pipe), and the call it does bind for making
 * descriptors is socketpair(2), so the wake-up is a non-blocking, close-on-exec AF_UNIX stream pair:
 * one end is in the set for reading, and {@link #wakeup()} sends one byte to the other. The byte stays
 * until {@link #clearWakeup()} drains it, so a wake-up made before a wait releases the next wait at
 * once, whether that wait blocks in epoll_wait(2) or parks on the {@link Poller}. It costs one
 * descriptor more than an eventfd, and no binding: send and recv with {@code MSG_DONTWAIT} are calls
 * the library makes anyway.
 *
 * <p>Threads. The methods are not synchronised among themselves; each group of memory belongs to one
 * lock of the caller's: {@link #waitNow}, {@link #waitInKernel}, {@link #parkUntilReady} and the
 * event accessors to the one selecting thread; {@link #add}, {@link #modify} and {@link #delete} to a
 * lock the caller holds around every control call and around {@link #close}; {@link #wakeup} and
 * {@link #clearWakeup} synchronise here and may come from any thread, even during or after close.
 * {@link #close} may run only once no thread waits or selects on the set.
 */
public final class EpollSet {

    private static final CLibrary C = Platform.current().library();
    private static final int EPOLL_CLOEXEC = C.constant("EPOLL_CLOEXEC");
    private static final int EPOLL_CTL_ADD = C.constant("EPOLL_CTL_ADD");
    private static final int EPOLL_CTL_MOD = C.constant("EPOLL_CTL_MOD");
    private static final int EPOLL_CTL_DEL = C.constant("EPOLL_CTL_DEL");
    private static final long EVENT_SIZE = Structs.Epoll.EPOLL_EVENT.byteSize();

    /** Events that make a descriptor ready for reading: data, end of stream. */
    public static final int READABLE = C.constant("EPOLLIN");
    /** Events that make a descriptor ready for writing. */
    public static final int WRITABLE = C.constant("EPOLLOUT");
    /** Events the kernel reports whatever was asked: an error, or a hang-up of both directions. */
    public static final int FAILED = C.constant("EPOLLERR") | C.constant("EPOLLHUP");

    private static final Cleaner CLEANER = Cleaner.create();
    private static final int MAX_EVENTS = 256;
    private static final int DONTWAIT = C.constant("MSG_DONTWAIT");
    private static final int NOSIGNAL = C.constant("MSG_NOSIGNAL");
    private static final int DRAIN_SIZE = 64;

    /** The outcome of {@link #open()}: the set, or the call that failed and its errno. */
    public record Opened(EpollSet set, String syscall, int errno) {
    }

    private final int epfd;
    private final int wakeReader;
    private final int wakeWriter;
    private final Resources resources;
    private final Cleaner.Cleanable cleanable;

    // The selecting thread's.
    private final MemorySegment events;
    private final MemorySegment waitErrno;
    private final NativeScratch parkScratch;

    // The caller's control lock's.
    private final MemorySegment controlEvent;
    private final MemorySegment controlErrno;

    // Guarded by wakeLock: a byte is in the wake-up pair; the set is closed and must not be written.
    private final Object wakeLock = new Object();
    private final MemorySegment wakeBuffer;
    private final MemorySegment wakeErrno;
    private boolean wakePending;
    private boolean closed;

    private EpollSet(int epfd, int wakeReader, int wakeWriter) {
        this.epfd = epfd;
        this.wakeReader = wakeReader;
        this.wakeWriter = wakeWriter;
        this.resources = new Resources(epfd, wakeReader, wakeWriter);
        for (int fd : resources.descriptors()) {
            OwnedDescriptors.register(fd, resources.owner);
        }
        this.cleanable = CLEANER.register(this, resources);
        Arena arena = resources.arena;
        this.events = arena.allocate(Structs.Epoll.EPOLL_EVENT, MAX_EVENTS);
        this.waitErrno = Syscalls.allocateErrnoCapture(arena);
        this.parkScratch = new NativeScratch(arena);
        this.controlEvent = arena.allocate(Structs.Epoll.EPOLL_EVENT);
        this.controlErrno = Syscalls.allocateErrnoCapture(arena);
        this.wakeBuffer = arena.allocate(DRAIN_SIZE);
        this.wakeErrno = Syscalls.allocateErrnoCapture(arena);
    }

    /**
     * Creates an epoll instance and a wake-up pair, both close-on-exec, with the pair's reading end in
     * the set. If a call fails, whatever was made is closed again.
     */
    public static Opened open() {
        int epfd;
        try (Arena local = Arena.ofConfined()) {
            epfd = Syscalls.epoll_create1(EPOLL_CLOEXEC, Syscalls.allocateErrnoCapture(local));
        }
        if (epfd < 0) {
            return new Opened(null, "epoll_create1", -epfd);
        }
        SocketControl.OpenedPair pair = SocketControl.openPair(SocketConstants.AF_UNIX,
                SocketConstants.SOCK_STREAM | SocketConstants.SOCK_NONBLOCK | SocketConstants.SOCK_CLOEXEC, 0);
        if (pair.failedCall() != null) {
            SocketControl.close(epfd);
            return new Opened(null, pair.failedCall(), pair.errno());
        }
        EpollSet set = new EpollSet(epfd, pair.first(), pair.second());
        int r = set.add(pair.first(), READABLE);
        if (r < 0) {
            set.close();
            return new Opened(null, "epoll_ctl", -r);
        }
        return new Opened(set, null, 0);
    }

    /**
     * Adds {@code fd} to the set, reporting {@code events} level-triggered. The caller holds its
     * control lock and keeps {@code fd} open for the call.
     *
     * @return 0, or {@code -errno}
     */
    public int add(int fd, int events) {
        return control(EPOLL_CTL_ADD, fd, events);
    }

    /** Changes the events of {@code fd}, as {@link #add}. @return 0, or {@code -errno} */
    public int modify(int fd, int events) {
        return control(EPOLL_CTL_MOD, fd, events);
    }

    /** Removes {@code fd} from the set, as {@link #add}. @return 0, or {@code -errno} */
    public int delete(int fd) {
        return control(EPOLL_CTL_DEL, fd, 0);
    }

    private int control(int op, int fd, int bits) {
        Structs.Epoll.EVENTS.set(controlEvent, bits);
        Structs.Epoll.DATA_FD.set(controlEvent, fd);
        return Syscalls.epoll_ctl(epfd, op, fd, controlEvent, controlErrno);
    }

    /** Collects the events ready now, without waiting. @return their number, or {@code -errno} */
    public int waitNow() {
        return Syscalls.epoll_wait(epfd, events, MAX_EVENTS, 0, waitErrno);
    }

    /**
     * Waits in epoll_wait(2) for up to {@code timeoutMillis} (-1: no limit): for platform threads only,
     * since the call blocks its thread in the kernel. {@link #wakeup()} ends the wait.
     *
     * @return the number of events, or {@code -errno} ({@code EINTR} if a signal came first)
     */
    public int waitInKernel(int timeoutMillis) {
        return Syscalls.epoll_wait(epfd, events, MAX_EVENTS, timeoutMillis, waitErrno);
    }

    /**
     * Parks the current virtual thread until the set has events, {@link #wakeup()} is called, the thread
     * is interrupted or unparked, or {@code nanos} have passed (0: no limit); then {@link #waitNow()}
     * collects what is ready. The set's own descriptor is readable when it has events, so a
     * {@link Poller} watches it as it watches a socket, and no carrier is held while the thread waits.
     * The poller is the master, whose platform thread unparks the waiter itself: a selecting thread may
     * be pinned to its carrier while it waits (on JDK 22 and 23 it parks inside the selector's monitor),
     * and the virtual sub-pollers might then find no carrier to run on. The caller has made the pollers
     * ({@link Poller#start()}).
     *
     * @return 0, or {@code -errno} from epoll_ctl(2) when registering with the poller
     */
    public int parkUntilReady(long nanos) {
        Poller poller = Poller.master();
        int r = poller.arm(epfd, parkScratch);
        if (r < 0) {
            return r;
        }
        try {
            if (nanos > 0) {
                LockSupport.parkNanos(this, nanos);
            } else {
                LockSupport.park(this);
            }
        } finally {
            poller.disarm(epfd);
        }
        return 0;
    }

    /** The descriptor of the {@code index}th event collected by the last wait. */
    public int eventFd(int index) {
        return Structs.Epoll.DATA_FD.getInt(events.asSlice(index * EVENT_SIZE));
    }

    /** The event bits of the {@code index}th event collected by the last wait. */
    public int eventBits(int index) {
        return Structs.Epoll.EVENTS.getInt(events.asSlice(index * EVENT_SIZE));
    }

    /** Whether an event's descriptor is the wake-up pair's rather than a registered one. */
    public boolean isWakeup(int fd) {
        return fd == wakeReader;
    }

    /**
     * Makes the set readable until {@link #clearWakeup()}: a thread waiting returns, and so does the
     * next wait if none is waiting. Does nothing if a wake-up is already pending or the set is closed.
     *
     * @return 0, or {@code -errno} from send(2)
     */
    public int wakeup() {
        synchronized (wakeLock) {
            if (wakePending || closed) {
                return 0;
            }
            long r = Syscalls.send(wakeWriter, wakeBuffer, 1, DONTWAIT | NOSIGNAL, wakeErrno);
            // EAGAIN: the pair is full of earlier wake-ups, which is as readable as one byte.
            if (r < 0 && r != -Errno.EAGAIN) {
                return (int) r;
            }
            wakePending = true;
            return 0;
        }
    }

    /**
     * Drains the wake-up pair, so that the next wait waits again.
     *
     * @return 0, or {@code -errno} from recv(2)
     */
    public int clearWakeup() {
        synchronized (wakeLock) {
            if (closed) {
                return 0;
            }
            for (;;) {
                long r = Syscalls.recv(wakeReader, wakeBuffer, DRAIN_SIZE, DONTWAIT, wakeErrno);
                if (r == -Errno.EINTR) {
                    continue;
                }
                if (r < 0 && r != -Errno.EAGAIN) {
                    return (int) r;
                }
                if (r < DRAIN_SIZE) {
                    break;
                }
            }
            wakePending = false;
            return 0;
        }
    }

    /**
     * Closes the set, the wake-up pair and the memory, once. The caller holds its control lock and no
     * thread waits on the set; a later {@link #wakeup()} does nothing.
     *
     * @return 0, or the first {@code -errno} from close(2)
     */
    public int close() {
        synchronized (wakeLock) {
            closed = true;
        }
        cleanable.clean();
        return resources.closeResult;
    }

    /** What must be released exactly once; never refers back to the set, so the cleaner can run it. */
    private static final class Resources implements Runnable {
        final int epfd;
        final int wakeReader;
        final int wakeWriter;
        final OwnedDescriptors.Owner owner = new OwnedDescriptors.Owner("a UnixSelector");
        final Arena arena = Arena.ofShared();
        volatile int closeResult;

        Resources(int epfd, int wakeReader, int wakeWriter) {
            this.epfd = epfd;
            this.wakeReader = wakeReader;
            this.wakeWriter = wakeWriter;
        }

        int[] descriptors() {
            return new int[] {wakeWriter, wakeReader, epfd};
        }

        @Override
        public void run() {
            int r = 0;
            for (int fd : descriptors()) {
                int c = OwnedDescriptors.close(fd, owner);
                if (r == 0) {
                    r = c;
                }
            }
            closeResult = r;
            arena.close();
        }
    }
}

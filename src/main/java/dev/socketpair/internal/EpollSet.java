package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernel side of a selector where the system has epoll(7): an epoll instance, the
 * {@link WakeupPair} whose reading end is in it, and the native memory its calls use.
 *
 * <p>The pair's byte keeps the set readable until {@link #clearWakeup()}, so a wake-up made before a
 * wait releases the next wait at once, whether that wait blocks in epoll_wait(2) or parks on the
 * {@link Poller}. A descriptor leaves the set with epoll_ctl(2) at once: no call holds it afterwards.
 *
 * <p>Threads: as {@link ReadinessSet} says; each group of memory here belongs to the lock of the caller's
 * that serialises its group.
 */
public final class EpollSet implements ReadinessSet {

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

    private static final int MAX_EVENTS = 256;

    private final int epfd;
    private final WakeupPair wake;
    private final SelectorResources resources;
    private final Cleaner.Cleanable cleanable;

    // The selecting thread's.
    private final MemorySegment events;
    private final MemorySegment waitErrno;
    private final NativeScratch parkScratch;

    // The caller's control lock's.
    private final MemorySegment controlEvent;
    private final MemorySegment controlErrno;

    private EpollSet(int epfd, int wakeReader, int wakeWriter) {
        this.epfd = epfd;
        this.resources = new SelectorResources(wakeWriter, wakeReader, epfd);
        this.cleanable = resources.cleanWhenUnreachable(this);
        Arena arena = resources.arena;
        this.wake = new WakeupPair(wakeReader, wakeWriter, arena);
        this.events = arena.allocate(Structs.Epoll.EPOLL_EVENT, MAX_EVENTS);
        this.waitErrno = Syscalls.allocateErrnoCapture(arena);
        this.parkScratch = new NativeScratch(arena);
        this.controlEvent = arena.allocate(Structs.Epoll.EPOLL_EVENT);
        this.controlErrno = Syscalls.allocateErrnoCapture(arena);
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
        SocketControl.OpenedPair pair = WakeupPair.open();
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

    @Override
    public int readableEvents() {
        return READABLE;
    }

    @Override
    public int writableEvents() {
        return WRITABLE;
    }

    @Override
    public int failedEvents() {
        return FAILED;
    }

    /**
     * Adds {@code fd} to the set, reporting {@code events} level-triggered. The caller holds its
     * control lock and keeps {@code fd} open for the call.
     *
     * @return 0, or {@code -errno}
     */
    @Override
    public int add(int fd, int events) {
        return control(EPOLL_CTL_ADD, fd, events);
    }

    /** Changes the events of {@code fd}, as {@link #add}. @return 0, or {@code -errno} */
    @Override
    public int modify(int fd, int events) {
        return control(EPOLL_CTL_MOD, fd, events);
    }

    /** Removes {@code fd} from the set, as {@link #add}. @return 0, or {@code -errno} */
    @Override
    public int delete(int fd) {
        return control(EPOLL_CTL_DEL, fd, 0);
    }

    @Override
    public String controlCall() {
        return "epoll_ctl";
    }

    private int control(int op, int fd, int bits) {
        Structs.Epoll.EVENTS.set(controlEvent, bits);
        Structs.Epoll.DATA_FD.set(controlEvent, fd);
        return Syscalls.epoll_ctl(epfd, op, fd, controlEvent, controlErrno);
    }

    @Override
    public int waitNow() {
        return Syscalls.epoll_wait(epfd, events, MAX_EVENTS, 0, waitErrno);
    }

    /** Waits in epoll_wait(2), as {@link ReadinessSet#waitInKernel} says. */
    @Override
    public int waitInKernel(int timeoutMillis) {
        return Syscalls.epoll_wait(epfd, events, MAX_EVENTS, timeoutMillis, waitErrno);
    }

    @Override
    public String waitCall() {
        return "epoll_wait";
    }

    /**
     * Parks as {@link ReadinessSet#parkUntilReady} says. The set's own descriptor is readable when it has
     * events, so the {@link Poller} watches it as it watches a socket, with a platform thread that unparks
     * the waiter itself ({@link PollerBackend#armDirect}).
     *
     * @return 0, or {@code -errno} from epoll_ctl(2) when registering with the poller
     */
    @Override
    public int parkUntilReady(long nanos) {
        PollerBackend poller = Poller.started();
        int r = poller.armDirect(epfd, parkScratch);
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
            poller.disarmDirect(epfd);
        }
        return 0;
    }

    /** The descriptor of the {@code index}th event collected by the last wait. */
    @Override
    public int eventFd(int index) {
        return Structs.Epoll.DATA_FD.getInt(events, index * EVENT_SIZE);
    }

    /** The event bits of the {@code index}th event collected by the last wait. */
    @Override
    public int eventBits(int index) {
        return Structs.Epoll.EVENTS.getInt(events, index * EVENT_SIZE);
    }

    @Override
    public boolean isWakeup(int fd) {
        return fd == wake.reader();
    }

    @Override
    public int wakeup() {
        return wake.wakeup();
    }

    @Override
    public int clearWakeup() {
        return wake.clear();
    }

    @Override
    public int close() {
        wake.close();
        cleanable.clean();
        return resources.closeResult();
    }
}

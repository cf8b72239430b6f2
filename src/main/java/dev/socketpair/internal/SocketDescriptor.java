package dev.socketpair.internal;

import dev.socketpair.internal.libc.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Owns one socket descriptor from adoption to its single close: the count of operations in flight on
 * it, the wake-up descriptor that interrupts threads waiting on it, and the native memory of the channel
 * that uses it.
 *
 * <p>Close protocol. An operation brackets its system calls with {@link #acquire()} and
 * {@link #release()}. {@link #close()} first marks the descriptor closing, so no operation can start,
 * then signals the wake-up descriptor so that waiting operations return, then waits until the last
 * operation has left, and only then calls close(2). The descriptor number is therefore never closed
 * while a system call may still use it, and cannot be reused by the process under a running operation.
 * If the owner becomes unreachable without being closed, a {@link Cleaner} closes the descriptor.
 */
public final class SocketDescriptor {

    private static final Cleaner CLEANER = Cleaner.create();

    /** Set in {@link #state} once close has begun; the low bits count operations in flight. */
    private static final int CLOSING = 1 << 30;

    /** Returned by {@link #wakeupFd()} when the descriptor is closing. */
    public static final int CLOSED = Integer.MIN_VALUE;

    private final int fd;
    private final AtomicInteger state = new AtomicInteger();
    private final Resources resources;
    private final Cleaner.Cleanable cleanable;

    // Guards the creation and signalling of the wake-up descriptor, and the wait for operations to leave.
    private final ReentrantLock closeLock = new ReentrantLock();
    private final Condition idle = closeLock.newCondition();

    /** Takes ownership of {@code fd}: from now on only {@link #close()} or the cleaner closes it. */
    public SocketDescriptor(int fd) {
        this.fd = fd;
        this.resources = new Resources(fd);
        this.cleanable = CLEANER.register(this, resources);
    }

    /** Returns the descriptor number; it names this socket only while an operation holds it. */
    public int fd() {
        return fd;
    }

    /** Returns the arena that memory used with this descriptor comes from; it is closed with it. */
    public Arena arena() {
        return resources.arena;
    }

    /** Returns true until {@link #close()} begins. */
    public boolean isOpen() {
        return (state.get() & CLOSING) == 0;
    }

    /**
     * Registers an operation in flight.
     *
     * @return false if the descriptor is closing: the operation must not start
     */
    public boolean acquire() {
        for (;;) {
            int s = state.get();
            if ((s & CLOSING) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Ends an operation registered by {@link #acquire()}; the last one out lets a waiting close go on. */
    public void release() {
        if (state.decrementAndGet() == CLOSING) {
            closeLock.lock();
            try {
                idle.signalAll();
            } finally {
                closeLock.unlock();
            }
        }
    }

    /**
     * Returns a descriptor that becomes readable when close begins, creating it on first use; a thread
     * that must wait for this socket polls both.
     *
     * @return the wake-up descriptor, {@link #CLOSED} if close has begun, or {@code -errno} if it cannot
     *         be created
     */
    public int wakeupFd() {
        int wakeup = resources.wakeupFd;
        if (wakeup >= 0) {
            return wakeup;
        }
        closeLock.lock();
        try {
            if (!isOpen()) {
                return CLOSED;
            }
            if (resources.wakeupFd < 0) {
                try (Arena arena = Arena.ofConfined()) {
                    int created = Syscalls.eventfd(0, Libc.EFD_CLOEXEC() | Libc.EFD_NONBLOCK(),
                            Syscalls.allocateErrnoCapture(arena));
                    if (created < 0) {
                        return created;
                    }
                    resources.wakeupFd = created;
                }
            }
            return resources.wakeupFd;
        } finally {
            closeLock.unlock();
        }
    }

    /**
     * Parks the current virtual thread until the socket is ready for reading (or writing) or close
     * begins, through the {@link Poller}: a virtual thread must not wait in a blocking downcall, which
     * would pin its carrier.
     *
     * @return 0 to try the transfer again, {@link #CLOSED} if close has begun, or {@code -errno} from
     *         epoll_ctl(2)
     */
    public int parkUntilReady(boolean reading, NativeScratch scratch) {
        Poller poller = reading ? Poller.reading() : Poller.writing();
        int r = poller.arm(fd, scratch);
        if (r < 0) {
            return r;
        }
        try {
            // close() marks the descriptor closing before it wakes the pollers' waiters: either it
            // finds this registration, or this check sees it closing.
            if (isOpen()) {
                LockSupport.park(this);
            }
        } finally {
            poller.disarm(fd);
        }
        return isOpen() ? 0 : CLOSED;
    }

    /**
     * Closes the descriptor once: stops new operations, wakes waiting ones, waits for all to leave, then
     * closes. Later calls do nothing and return 0.
     *
     * @return 0, or {@code -errno} from close(2)
     */
    public int close() {
        int before = state.getAndUpdate(s -> s | CLOSING);
        if ((before & CLOSING) != 0) {
            return 0;
        }
        closeLock.lock();
        try {
            if (resources.wakeupFd >= 0) {
                resources.signalWakeup();
            }
            Poller.wakeupAll(fd);
            while (state.get() != CLOSING) {
                idle.awaitUninterruptibly();
            }
        } finally {
            closeLock.unlock();
        }
        cleanable.clean();
        return resources.closeResult;
    }

    /** What must be released exactly once; never refers back to the owner, so the cleaner can run it. */
    private static final class Resources implements Runnable {
        final int fd;
        final Arena arena = Arena.ofShared();
        volatile int wakeupFd = -1;
        volatile int closeResult;

        Resources(int fd) {
            this.fd = fd;
        }

        void signalWakeup() {
            try (Arena local = Arena.ofConfined()) {
                MemorySegment one = local.allocateFrom(ValueLayout.JAVA_LONG, 1L);
                long n = Syscalls.write(wakeupFd, one, one.byteSize(), Syscalls.allocateErrnoCapture(local));
                if (n < 0) {
                    throw new AssertionError("write to wake-up eventfd failed: " + Errno.name((int) -n));
                }
            }
        }

        @Override
        public void run() {
            try (Arena local = Arena.ofConfined()) {
                MemorySegment capture = Syscalls.allocateErrnoCapture(local);
                closeResult = Syscalls.close(fd, capture);
                if (wakeupFd >= 0) {
                    Syscalls.close(wakeupFd, capture);
                }
            }
            arena.close();
        }
    }
}

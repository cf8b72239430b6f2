package dev.socketpair.internal;

import dev.socketpair.internal.platform.Platform;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * Owns one socket descriptor from adoption to its single close: the count of operations in flight on
 * it (and of those that may block in the kernel), the directions its owner has shut down, and the
 * native memory of the channel that uses it.
 *
 * <p>Close protocol. An operation brackets its system calls with {@link #acquire()} and
 * {@link #release()}, or, if it may block in the kernel (a platform thread's blocking recv, send or
 * poll), with {@link #acquireBlocking()} and {@link #releaseBlocking()}. {@link #close(Runnable)} first
 * marks the descriptor closing, so that no operation can start; then, if an operation that may block is in
 * flight, shuts the socket down (shutdown(2) wakes every thread blocked on it, and makes any later call
 * return at once), and unparks virtual threads waiting in the {@link Poller}; then waits until the last
 * operation has left, and only then calls close(2). Both counts and the closing mark share one atomic
 * word, so an operation either starts before close and is seen by it, or does not start. The descriptor number is therefore never closed while a
 * system call may still use it, and cannot be reused by the process under a running operation. If the
 * owner becomes unreachable without being closed, a {@link Cleaner} closes the descriptor.
 */
public final class SocketDescriptor {

    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicIntegerFieldUpdater<SocketDescriptor> STATE =
            AtomicIntegerFieldUpdater.newUpdater(SocketDescriptor.class, "state");
    private static final int SHUT_RDWR = Platform.current().library().constant("SHUT_RDWR");

    /** Set in {@link #state} once close has begun. */
    private static final int CLOSING = 1 << 30;
    /** One operation that may block in the kernel, counted in bits 15 to 29 of {@link #state}. */
    private static final int BLOCKING = 1 << 15;
    // Bits 0 to 14 of state count every operation in flight.

    /** Returned by {@link #parkUntilReady} when the descriptor is closing. */
    public static final int CLOSED = Integer.MIN_VALUE;

    private final int fd;
    // A field of this object, not an AtomicInteger of its own: every operation reads and writes it, and
    // with thousands of channels one object fewer is one cache miss fewer per operation.
    private volatile int state;
    // Set once the owner has shut down reading (writing) with shutdown(2): a virtual thread must not
    // park in that direction any more, since no readiness event may ever come to end the wait.
    private volatile boolean inputShutDown;
    private volatile boolean outputShutDown;
    private final Resources resources;
    private final Cleaner.Cleanable cleanable;

    // The thread in close() waiting for operations to leave, set once it has marked the descriptor
    // closing: the last operation out unparks it.
    private volatile Thread closer;

    /**
     * Takes ownership of {@code fd}: from now on only {@link #close(Runnable)} or the cleaner closes it.
     * The number is registered in {@link OwnedDescriptors} as a channel's until close(2) has returned; a
     * number a caller hands in must have been {@linkplain OwnedDescriptors#claim claimed} first.
     */
    public SocketDescriptor(int fd) {
        this.fd = fd;
        this.resources = new Resources(fd);
        OwnedDescriptors.register(fd, resources.owner);
        this.cleanable = CLEANER.register(this, resources);
    }

    /** Returns the native memory of the channel that uses this descriptor; it is freed with it. */
    public ChannelMemory memory() {
        return resources.memory;
    }

    /** Returns true until {@link #close(Runnable)} begins. */
    public boolean isOpen() {
        return (state & CLOSING) == 0;
    }

    /**
     * Registers an operation in flight.
     *
     * @return false if the descriptor is closing: the operation must not start
     */
    public boolean acquire() {
        return acquire(1);
    }

    /**
     * Registers an operation in flight that may block in the kernel, which close must then wake.
     *
     * @return false if the descriptor is closing: the operation must not start
     */
    public boolean acquireBlocking() {
        return acquire(1 + BLOCKING);
    }

    private boolean acquire(int delta) {
        for (;;) {
            int s = state;
            if ((s & CLOSING) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s + delta)) {
                return true;
            }
        }
    }

    /** Ends an operation registered by {@link #acquire()}. */
    public void release() {
        release(1);
    }

    /** Ends an operation registered by {@link #acquireBlocking()}. */
    public void releaseBlocking() {
        release(1 + BLOCKING);
    }

    /** The last operation out lets a waiting close go on. */
    private void release(int delta) {
        if (STATE.addAndGet(this, -delta) == CLOSING) {
            // If close has not set closer yet, it reads the state after setting it, and goes on.
            Thread waiting = closer;
            if (waiting != null) {
                LockSupport.unpark(waiting);
            }
        }
    }

    /**
     * Records that the owner has shut down reading (or writing) with shutdown(2), and wakes the virtual
     * thread parked in that direction, if any. A shutdown does not always make the socket ready: after
     * {@code SHUT_WR} the socket becomes no more writable than it was, so a writer waiting for room
     * would otherwise stay parked until close.
     */
    public void shutDown(boolean reading) {
        if (reading) {
            inputShutDown = true;
        } else {
            outputShutDown = true;
        }
        // The same order as close: the mark first, then the waiter (see parkUntilReady).
        if (resources.registeredWithPoller) {
            Poller.wakeup(fd, reading);
        }
    }

    /**
     * Parks the current virtual thread until the socket is ready for reading (or writing), that
     * direction is {@linkplain #shutDown shut down}, close begins, or {@code nanos} nanoseconds have
     * passed (0: without limit), through the {@link Poller}: a virtual thread must not wait in a blocking
     * downcall, which would pin its carrier. The caller tells a timeout from readiness by trying the
     * transfer again. The caller has made the pollers ({@link Poller#start()}).
     *
     * @return 0 to try the transfer again (the caller checks whether the direction was shut down),
     *         {@link #CLOSED} if close has begun, or {@code -errno} from registering with the poller
     *         (epoll_ctl(2); a poll(2) poller's registration cannot fail)
     */
    public int parkUntilReady(boolean reading, long nanos, NativeScratch scratch) {
        if (!resources.registeredWithPoller) {
            resources.registeredWithPoller = true;
        }
        PollerBackend poller = Poller.started();
        int r = poller.arm(fd, reading, scratch);
        if (r < 0) {
            return r;
        }
        try {
            // close() marks the descriptor closing, and shutDown the direction, before waking the
            // pollers' waiters: either that finds this registration, or this check sees the mark.
            if (isOpen() && !(reading ? inputShutDown : outputShutDown)) {
                if (nanos > 0) {
                    LockSupport.parkNanos(this, nanos);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            poller.disarm(fd, reading);
        }
        return isOpen() ? 0 : CLOSED;
    }

    /**
     * Closes the descriptor once: stops new operations, wakes blocked and parked ones, waits for all to
     * leave, runs {@code beforeClose} (if not null), then closes. Later calls do nothing and return 0.
     *
     * <p>Waking a thread blocked in the kernel shuts the socket down in both directions first, which the
     * peer sees as end of stream a moment before it would see the close. If another process shares this
     * socket, it sees the shutdown too; a close with no thread blocked shuts nothing down.
     *
     * <p>{@code beforeClose} runs once no operation is in flight and none can start, just before
     * close(2). The number still names this socket then, and nothing else uses it: a selector takes the
     * socket out of its readiness set there, so that no set keeps a number the process may reuse, nor a
     * poll(2) the socket. It runs in the closing thread, at most once, and must not throw.
     *
     * @return 0, or {@code -errno} from close(2)
     */
    public int close(Runnable beforeClose) {
        // A loop rather than getAndUpdate with a lambda: the JVM makes a class for a lambda when it is
        // first used, and a process's first close would pay for it.
        int before = state;
        while ((before & CLOSING) == 0 && !STATE.compareAndSet(this, before, before | CLOSING)) {
            before = state;
        }
        if ((before & CLOSING) != 0) {
            return 0;
        }
        if (before >= BLOCKING) {
            // ENOTCONN (a datagram peer gone) still wakes nobody who could need it: ignore results.
            Syscalls.shutdown(fd, SHUT_RDWR, resources.closeCapture);
        }
        // A virtual thread marks the descriptor before it registers with a poller, and checks the
        // closing mark after: either this sees the mark, or that thread sees closing and does not park.
        if (resources.registeredWithPoller) {
            Poller.wakeupAll(fd);
        }
        awaitIdle();
        try {
            if (beforeClose != null) {
                beforeClose.run();
            }
        } finally {
            cleanable.clean();
        }
        return resources.closeResult;
    }

    /**
     * Waits, uninterruptibly, until no operation is in flight; called once the descriptor is marked
     * closing, so that none can start.
     */
    private void awaitIdle() {
        if (state == CLOSING) {
            return;
        }
        closer = Thread.currentThread();
        // An interrupt must not end the wait, nor make park return at once again and again: it is
        // taken off while waiting and put back after.
        boolean interrupted = false;
        while (state != CLOSING) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** What must be released exactly once; never refers back to the owner, so the cleaner can run it. */
    private static final class Resources implements Runnable {
        final int fd;
        final OwnedDescriptors.Owner owner = new OwnedDescriptors.Owner("a UnixSocketChannel");
        final ChannelMemory memory = new ChannelMemory();
        // Allocated up front, so that closing allocates nothing that can fail; only the closing thread uses it.
        final MemorySegment closeCapture = Syscalls.allocateErrnoCapture(memory);
        volatile int closeResult;
        // Set once a virtual thread has waited on the descriptor through a poller.
        volatile boolean registeredWithPoller;

        Resources(int fd) {
            this.fd = fd;
        }

        @Override
        public void run() {
            if (registeredWithPoller) {
                // The socket may outlive this descriptor (sent, inherited, duplicated): a registration
                // left in a poller's set would hold it there, and could report it under a reused number;
                // a poll(2) in progress would keep it open until it returned.
                Poller.forget(fd);
            }
            try {
                closeResult = OwnedDescriptors.close(fd, owner, closeCapture);
            } finally {
                memory.close();
            }
        }
    }
}

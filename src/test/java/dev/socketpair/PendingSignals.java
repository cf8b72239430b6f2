package dev.socketpair;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Blocks a signal in the current thread so that, if raised, it stays pending where a test can see it.
 * The JVM ignores SIGPIPE, so a delivered one would leave no trace: blocking it is the only way to
 * observe whether a call raised it.
 */
final class PendingSignals implements AutoCloseable {

    /** SIGPIPE on Linux (signal(7)); the library's bindings have no use for signal numbers. */
    static final int SIGPIPE = 13;

    // pthread_sigmask(2) "how" values on Linux.
    private static final int SIG_BLOCK = 0;
    private static final int SIG_UNBLOCK = 1;
    // glibc's sigset_t is 1024 bits.
    private static final long SIGSET_BYTES = 128;

    private static final MethodHandle PTHREAD_SIGMASK = NativeFunctions.downcall("pthread_sigmask",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle SIGPENDING = NativeFunctions.downcall("sigpending",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment set = arena.allocate(SIGSET_BYTES);
    private final int signal;

    /** Blocks {@code signal} in the calling thread until {@link #close()}. */
    PendingSignals(int signal) throws Throwable {
        this.signal = signal;
        set.set(ValueLayout.JAVA_LONG, 0, 1L << (signal - 1));
        check((int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, set, MemorySegment.NULL));
    }

    /** Returns true if the blocked signal is pending for this thread or the process. */
    boolean isPending() throws Throwable {
        MemorySegment pending = arena.allocate(SIGSET_BYTES);
        check((int) SIGPENDING.invokeExact(pending));
        return (pending.get(ValueLayout.JAVA_LONG, 0) & (1L << (signal - 1))) != 0;
    }

    /** Writes one byte with plain write(2), which passes no MSG_NOSIGNAL: the control case. */
    long plainWrite(int fd) {
        return RawFd.writeOnce(fd, arena.allocate(1), 1);
    }

    /** Unblocks the signal; a pending SIGPIPE is then delivered, and the JVM ignores it. */
    @Override
    public void close() throws Exception {
        try {
            check((int) PTHREAD_SIGMASK.invokeExact(SIG_UNBLOCK, set, MemorySegment.NULL));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            arena.close();
        }
    }

    private static void check(int result) {
        if (result != 0) {
            throw new AssertionError("signal call failed: " + result);
        }
    }
}

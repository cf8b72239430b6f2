package dev.socketpair.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C baseline (src/bench/c/spbench.c), loaded into the benchmark JVM. Each call runs a whole batch
 * in C, so the one downcall per batch is the only Java in the measurement.
 */
final class CBaseline {

    /** System property naming the built shared library; set by {@link BenchmarkTable} for every fork. */
    static final String LIBRARY_PROPERTY = "spbench.library";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBRARY = SymbolLookup.libraryLookup(
            Path.of(System.getProperty(LIBRARY_PROPERTY, "target/bench/libspbench.so")), Arena.global());

    private static final MethodHandle PAIR = handle("sp_pair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle START_DRAIN = handle("sp_start_drain", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle START_DRAIN_BATCHED =
            handle("sp_start_drain_batched", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle START_ECHO = handle("sp_start_echo", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle JOIN = handle("sp_join", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle WRITE_N = handle("sp_write_n", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SEND_N = handle("sp_send_n", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SENDMMSG_N = handle("sp_sendmmsg_n", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PINGPONG_N = handle("sp_pingpong_n", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LIFECYCLE_N = handle("sp_lifecycle_n", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SELECTION_OPEN =
            handle("sp_selection_open", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle SELECTION_ROUNDS =
            handle("sp_selection_rounds", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SELECTION_CLOSE = handle("sp_selection_close", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private CBaseline() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBRARY.find(name).orElseThrow(), descriptor);
    }

    /** A socket pair made by C: two descriptors, and a peer thread on the second once started. */
    static final class Pair {
        final int near;
        final int far;
        private MemorySegment peer = MemorySegment.NULL;

        Pair(int type) throws Throwable {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment fds = arena.allocate(JAVA_INT, 2);
                int r = (int) PAIR.invokeExact(type, fds);
                if (r != 0) {
                    throw new IllegalStateException("sp_pair: " + r);
                }
                near = fds.getAtIndex(JAVA_INT, 0);
                far = fds.getAtIndex(JAVA_INT, 1);
            }
        }

        /** Starts a C thread reading the far end in chunks of {@code size} until end of stream. */
        void startDrain(long size) throws Throwable {
            peer = (MemorySegment) START_DRAIN.invokeExact(far, size);
        }

        /** Starts a C thread receiving messages of up to {@code size} bytes on the far end, 64 to a recvmmsg(2). */
        void startBatchedDrain(long size) throws Throwable {
            peer = (MemorySegment) START_DRAIN_BATCHED.invokeExact(far, size);
        }

        /** Starts a C thread echoing messages of {@code size} bytes on the far end. */
        void startEcho(long size) throws Throwable {
            peer = (MemorySegment) START_ECHO.invokeExact(far, size);
        }

        long writeN(MemorySegment buffer, long size, long count) throws Throwable {
            return check((long) WRITE_N.invokeExact(near, buffer, size, count));
        }

        long sendN(MemorySegment buffer, long size, long count) throws Throwable {
            return check((long) SEND_N.invokeExact(near, buffer, size, count));
        }

        /** Sends {@code count} messages of {@code size} bytes from {@code buffer}, 64 to a sendmmsg(2). */
        long sendBatchedN(MemorySegment buffer, long size, long count) throws Throwable {
            return check((long) SENDMMSG_N.invokeExact(near, buffer, size, count));
        }

        long pingPongN(long count) throws Throwable {
            return check((long) PINGPONG_N.invokeExact(near, count));
        }

        /** Closes both ends, after the near one has ended the peer thread, and waits for that thread. */
        void close() throws Throwable {
            int ignored = (int) CLOSE.invokeExact(near);
            if (!peer.equals(MemorySegment.NULL)) {
                JOIN.invokeExact(peer);
            }
            ignored = (int) CLOSE.invokeExact(far);
        }
    }

    /** {@code count} pair lifecycles in C: open, 64 bytes each way, close both ends. */
    static long lifecycleN(long count) throws Throwable {
        return check((long) LIFECYCLE_N.invokeExact(count));
    }

    /** Pairs made by C with both ends of each in an epoll set: the C side of the selector workload. */
    static final class Selection {
        private final MemorySegment selection;

        /** Opens {@code channels / 2} pairs and registers both ends of each for reading. */
        Selection(int channels) throws Throwable {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment error = arena.allocate(JAVA_INT);
                selection = (MemorySegment) SELECTION_OPEN.invokeExact(channels, error);
                if (selection.equals(MemorySegment.NULL)) {
                    throw new IllegalStateException("sp_selection_open(" + channels + ") failed with errno "
                            + error.get(JAVA_INT, 0));
                }
            }
        }

        /** Runs {@code rounds} rounds in which {@code ready} ends become readable and are read. */
        long rounds(int ready, long rounds) throws Throwable {
            return check((long) SELECTION_ROUNDS.invokeExact(selection, ready, rounds));
        }

        void close() throws Throwable {
            SELECTION_CLOSE.invokeExact(selection);
        }
    }

    private static long check(long r) {
        if (r < 0) {
            throw new IllegalStateException("C baseline failed with errno " + -r);
        }
        return r;
    }

    static MemorySegment buffer(long size) {
        return AlignedBuffers.segment(Arena.global(), size).fill((byte) 7);
    }
}

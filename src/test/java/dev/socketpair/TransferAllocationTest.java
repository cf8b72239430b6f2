package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A loop that writes one buffer and reads into another, again and again, allocates nothing in steady
 * state, counted exactly by the JVM's counter of the thread's allocation: the channel uses again what it
 * made for the buffers it saw last (a transfer, a segment over the buffer, its slice), and each of its
 * downcalls is compiled whole, so that the compiler does away with what the JDK's downcall machinery
 * allocates. Each kind of memory the library moves takes its own path: a direct buffer in place, a small
 * heap buffer copied from its array, a large heap buffer in place by a critical call, a native segment.
 */
@Timeout(120)
class TransferAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final int WARM_UP_ROUNDS = 50_000;
    private static final int MEASURED_ROUNDS = 5_000;
    /**
     * How long measurements go on, the smallest of which counts; they stop at the first under the bound.
     * Where earlier tests in the JVM compiled these paths for other memory, the compiler recompiles them
     * more than once before they settle: in this suite, 80 B a round for 30,000 rounds after the warm-up.
     * Emulated, it takes longer still, as the compiler is slowed down and the system calls are not: 80 B a
     * round for about 300,000 rounds, 5 seconds, on Linux aarch64 under qemu-user. Scaled like timeouts.
     */
    private static final Duration SETTLING = Duration.ofSeconds(10);
    /**
     * Less than one byte a round: a transfer, a segment or a slice made again on every call would cost
     * 16 to 56 bytes, the JDK's capture segment sliced by a downcall the compiler did not finish 40.
     */
    private static final double ROUND_BOUND = 1;

    /** The memory a round writes from and reads into. */
    enum Memory {
        DIRECT(64), HEAP_SMALL(64), HEAP_LARGE(16_384), SEGMENT(64);

        final int size;

        Memory(int size) {
            this.size = size;
        }
    }

    @ParameterizedTest
    @EnumSource(Memory.class)
    void aLoopOverOneBufferAllocatesNothing(Memory memory) throws Exception {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "the JVM counts each thread's allocation");
        try (SocketPair pair = SocketPair.open(); Arena arena = Arena.ofConfined()) {
            Round round = switch (memory) {
                case DIRECT -> new BufferRound(pair, ByteBuffer.allocateDirect(memory.size),
                        ByteBuffer.allocateDirect(memory.size));
                case HEAP_SMALL, HEAP_LARGE -> new BufferRound(pair, ByteBuffer.allocate(memory.size),
                        ByteBuffer.allocate(memory.size));
                case SEGMENT -> new SegmentRound(pair, arena.allocate(memory.size), arena.allocate(memory.size));
            };
            round.repeat(WARM_UP_ROUNDS);
            double least = Double.MAX_VALUE;
            int measured = 0;
            long deadline = System.nanoTime() + ScaledTimeouts.scaled(SETTLING).toNanos();
            for (; least >= ROUND_BOUND && (measured == 0 || System.nanoTime() < deadline); measured++) {
                long before = THREADS.getCurrentThreadAllocatedBytes();
                round.repeat(MEASURED_ROUNDS);
                long after = THREADS.getCurrentThreadAllocatedBytes();
                least = Math.min(least, (double) (after - before) / MEASURED_ROUNDS);
            }
            assertThat(least).as("least bytes allocated per write and read of %s, %d B, in %d measurements of %d rounds",
                            memory, memory.size, measured, MEASURED_ROUNDS)
                    .isLessThan(ROUND_BOUND);
        }
    }

    /** One write of a buffer and the reads that take its bytes back. */
    private interface Round {
        void run() throws Exception;

        default void repeat(int rounds) throws Exception {
            for (int i = 0; i < rounds; i++) {
                run();
            }
        }
    }

    private record BufferRound(SocketPair pair, ByteBuffer src, ByteBuffer dst) implements Round {
        @Override
        public void run() throws Exception {
            src.clear();
            if (pair.first().write(src) != src.capacity()) {
                throw new AssertionError("a blocking write returned short");
            }
            dst.clear();
            while (dst.hasRemaining()) {
                if (pair.second().read(dst) <= 0) {
                    throw new AssertionError("end of stream before the bytes written");
                }
            }
        }
    }

    private record SegmentRound(SocketPair pair, MemorySegment src, MemorySegment dst) implements Round {
        @Override
        public void run() throws Exception {
            if (pair.first().write(src) != src.byteSize()) {
                throw new AssertionError("a blocking write returned short");
            }
            if (pair.second().read(dst) != dst.byteSize()) {
                throw new AssertionError("the bytes written not read back in one read");
            }
        }
    }
}

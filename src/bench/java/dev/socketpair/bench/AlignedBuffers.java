package dev.socketpair.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The native memory every variant moves, C's included: each buffer starts at a page boundary. Where a
 * sending buffer starts within its page moves the cost of a bulk write on the benchmark machine (64 KiB
 * writes in one JVM on one CPU, side by side, from page offset 1264 against 0: this library at 0.84x
 * the rate, C's loop at 0.95x), so buffers placed wherever malloc(3) happened to put them made every
 * bulk ratio a draw of two placements. Aligned alike, the variants differ only in what they do around
 * the kernel's copy; this is the best case of every side. Heap buffers cannot be placed: the garbage
 * collector decides where an array lives.
 */
final class AlignedBuffers {

    /** The alignment of every buffer: a page of the benchmark machine. */
    static final int ALIGNMENT = 4096;

    private AlignedBuffers() {
    }

    /** A direct ByteBuffer of {@code size} bytes from {@link ByteBuffer#allocateDirect}, page-aligned. */
    static ByteBuffer direct(int size) {
        // alignedSlice moves the start up and the end down to the alignment: a page more than the pages
        // the buffer needs leaves them whole.
        int pages = (size + ALIGNMENT - 1) / ALIGNMENT;
        return ByteBuffer.allocateDirect((pages + 1) * ALIGNMENT).alignedSlice(ALIGNMENT).slice(0, size);
    }

    /** A segment of {@code size} bytes of {@code arena}, page-aligned. */
    static MemorySegment segment(Arena arena, long size) {
        return arena.allocate(size, ALIGNMENT);
    }
}

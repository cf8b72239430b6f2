package dev.socketpair;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The memory a channel reads from and writes to, as far as it cares: heap or native, writable or
 * read-only, and for native memory of a segment, whether its arena can be closed. Each kind comes as a
 * ByteBuffer; the segment kinds also as a MemorySegment, for the channel's segment methods.
 */
enum BufferMemory {
    HEAP, DIRECT, READ_ONLY_HEAP, READ_ONLY_DIRECT,
    /** A heap segment's view, part-way into its array. */
    HEAP_SEGMENT,
    /** Native memory of a shared arena, which can be closed. */
    SHARED_SEGMENT,
    /** Native memory of an automatic arena, which is never closed. */
    AUTO_SEGMENT;

    boolean isWritable() {
        return this != READ_ONLY_HEAP && this != READ_ONLY_DIRECT;
    }

    boolean isSegment() {
        return this == HEAP_SEGMENT || this == SHARED_SEGMENT || this == AUTO_SEGMENT;
    }

    /** An empty buffer of {@code capacity} bytes; a shared segment's comes from {@code shared}. */
    ByteBuffer allocate(int capacity, Arena shared) {
        return switch (this) {
            case HEAP, READ_ONLY_HEAP -> ByteBuffer.allocate(capacity);
            case DIRECT, READ_ONLY_DIRECT -> ByteBuffer.allocateDirect(capacity);
            case HEAP_SEGMENT -> MemorySegment.ofArray(new byte[capacity + 3]).asSlice(3).asByteBuffer();
            case SHARED_SEGMENT -> shared.allocate(capacity).asByteBuffer();
            case AUTO_SEGMENT -> Arena.ofAuto().allocate(capacity).asByteBuffer();
        };
    }

    /** A buffer holding {@code bytes[from .. to)}, ready to be written. */
    ByteBuffer source(byte[] bytes, int from, int to, Arena shared) {
        ByteBuffer b = allocate(to - from, shared).put(bytes, from, to - from).flip();
        return isWritable() ? b : b.asReadOnlyBuffer();
    }

    /** A segment of this kind holding {@code bytes}; a shared segment's comes from {@code shared}. */
    MemorySegment segment(byte[] bytes, Arena shared) {
        MemorySegment segment = switch (this) {
            case HEAP_SEGMENT -> MemorySegment.ofArray(new byte[bytes.length + 3]).asSlice(3);
            case SHARED_SEGMENT -> shared.allocate(bytes.length);
            case AUTO_SEGMENT -> Arena.ofAuto().allocate(bytes.length);
            default -> throw new IllegalStateException(this + " is not a segment");
        };
        return segment.copyFrom(MemorySegment.ofArray(bytes));
    }
}

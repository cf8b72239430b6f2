package dev.socketpair;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** The kinds of memory a channel reads from and writes to. */
enum BufferKind {
    HEAP, DIRECT, READ_ONLY_HEAP, READ_ONLY_DIRECT, HEAP_SEGMENT, NATIVE_SEGMENT;

    boolean isSegment() {
        return this == HEAP_SEGMENT || this == NATIVE_SEGMENT;
    }

    boolean isReadOnly() {
        return this == READ_ONLY_HEAP || this == READ_ONLY_DIRECT;
    }

    /** A buffer holding {@code bytes} ready to be written. */
    ByteBuffer source(byte[] bytes) {
        return switch (this) {
            case HEAP -> ByteBuffer.wrap(bytes);
            case DIRECT -> ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            case READ_ONLY_HEAP -> ByteBuffer.wrap(bytes).asReadOnlyBuffer();
            case READ_ONLY_DIRECT -> ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
            default -> throw new IllegalStateException(this + " is a segment");
        };
    }

    /** An empty buffer of {@code capacity} bytes to read into. */
    ByteBuffer destination(int capacity) {
        return switch (this) {
            case HEAP -> ByteBuffer.allocate(capacity);
            case DIRECT -> ByteBuffer.allocateDirect(capacity);
            default -> throw new IllegalStateException(this + " cannot be read into");
        };
    }

    /** A segment holding {@code bytes}; native ones live in {@code arena}. */
    MemorySegment segment(byte[] bytes, Arena arena) {
        return switch (this) {
            case HEAP_SEGMENT -> MemorySegment.ofArray(bytes.clone());
            case NATIVE_SEGMENT -> arena.allocate(bytes.length).copyFrom(MemorySegment.ofArray(bytes));
            default -> throw new IllegalStateException(this + " is not a segment");
        };
    }
}

package dev.socketpair.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The native memory of one channel: blocks of {@link SmallBlocks} and of calloc(3), all given back or
 * freed with free(3) by {@link #close()}.
 *
 * <p>Why not an {@link java.lang.foreign.Arena}: a channel is closed from any thread, so its memory
 * would need a shared arena, and closing a shared arena is a handshake with every thread of the JVM,
 * whose cost grows with the thread count of the whole application and stalls those threads while it
 * runs. What that handshake guards against, a call still using the memory, the owner's own protocol
 * rules out instead: {@link SocketDescriptor} closes this only once no operation is in flight and none
 * can start. The segments handed out are therefore unguarded (the global scope): nothing checks them
 * after close, and only an owner with such a protocol may use this class.
 *
 * <p>Requests of up to {@link #SMALL} bytes are carved out of blocks of {@link #BLOCK} bytes taken from
 * {@link SmallBlocks}, so that a channel's fixed scratch (errno captures, a pollfd, a message header)
 * costs one block and no allocator call; a larger request has a block of its own from calloc(3).
 * Memory is zeroed, as an arena's is.
 *
 * <p>Thread-safe: the two directions of a channel allocate on first use, each under its own lock.
 */
public final class ChannelMemory implements SegmentAllocator {

    /** The size of a block that small requests share. */
    static final long BLOCK = SmallBlocks.SIZE;
    /** The largest request carved out of a shared block. */
    static final long SMALL = 64;
    /**
     * The alignment every calloc(3) block has: that of any fundamental C type, so at least that of a
     * {@code long}, a {@code double} and a pointer. A stricter one is made by allocating more.
     */
    private static final MemorySegment[] NO_BLOCKS = new MemorySegment[0];
    private static final long BLOCK_ALIGNMENT = Math.max(ValueLayout.ADDRESS.byteAlignment(),
            Math.max(ValueLayout.JAVA_LONG.byteAlignment(), ValueLayout.JAVA_DOUBLE.byteAlignment()));

    private final SmallBlocks smallBlocks;
    // Blocks from calloc(3), and from smallBlocks.
    private MemorySegment[] blocks = NO_BLOCKS;
    private int blockCount;
    private MemorySegment[] pooled = NO_BLOCKS;
    private int pooledCount;
    // The block small requests are carved from, and how much of it is used.
    private MemorySegment shared;
    private long sharedUsed;
    private boolean closed;

    /** Memory whose small requests share blocks of {@link SmallBlocks#SHARED}. */
    public ChannelMemory() {
        this(SmallBlocks.SHARED);
    }

    ChannelMemory(SmallBlocks smallBlocks) {
        this.smallBlocks = smallBlocks;
    }

    /**
     * Allocates {@code byteSize} zeroed bytes aligned to {@code byteAlignment}, freed by {@link #close()}.
     *
     * @throws IllegalArgumentException if the size is negative or the alignment not a power of two
     * @throws IllegalStateException    if this memory is closed
     * @throws OutOfMemoryError         if calloc(3) finds no memory
     */
    @Override
    public synchronized MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0 || byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
            throw new IllegalArgumentException("size " + byteSize + ", alignment " + byteAlignment);
        }
        if (closed) {
            throw new IllegalStateException("the channel's memory is freed");
        }
        if (byteSize <= SMALL && byteAlignment <= BLOCK_ALIGNMENT) {
            long at = shared == null ? 0 : align(sharedUsed, byteAlignment);
            if (shared == null || at + byteSize > BLOCK) {
                shared = smallBlocks.take();
                pooled = keep(pooled, pooledCount++, shared);
                at = 0;
            }
            sharedUsed = at + byteSize;
            return shared.asSlice(at, byteSize);
        }
        if (byteAlignment <= BLOCK_ALIGNMENT) {
            return block(byteSize);
        }
        MemorySegment padded = block(byteSize + byteAlignment - 1);
        long at = align(padded.address(), byteAlignment) - padded.address();
        return padded.asSlice(at, byteSize);
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * One zeroed block of {@code size} bytes from calloc(3), the caller's to free.
     *
     * @throws OutOfMemoryError if calloc(3) finds no memory
     */
    static MemorySegment calloc(long size) {
        MemorySegment block = Syscalls.calloc(size);
        if (block.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("calloc could not allocate " + size + " bytes of native memory");
        }
        return block;
    }

    private MemorySegment block(long size) {
        MemorySegment block = calloc(Math.max(1, size));
        blocks = keep(blocks, blockCount++, block);
        return size == 0 ? block.asSlice(0, 0) : block;
    }

    /** Stores {@code block} at {@code index} of {@code kept}, grown if full: the array to keep. */
    private static MemorySegment[] keep(MemorySegment[] kept, int index, MemorySegment block) {
        MemorySegment[] into = index < kept.length ? kept : Arrays.copyOf(kept, Math.max(2, index * 2));
        into[index] = block;
        return into;
    }

    /** Frees every block; later calls do nothing. No segment this memory handed out may be used after. */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < blockCount; i++) {
            Syscalls.free(blocks[i]);
            blocks[i] = null;
        }
        for (int i = 0; i < pooledCount; i++) {
            smallBlocks.giveBack(pooled[i]);
            pooled[i] = null;
        }
        shared = null;
    }
}

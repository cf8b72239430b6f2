package dev.socketpair.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A pool of zeroed native blocks of {@link #SIZE} bytes, where every channel's fixed scratch (its errno
 * captures, a pollfd, a message header) lives: a channel takes one or two when it is made and gives them
 * back when it is closed.
 *
 * <p>Why a pool rather than calloc(3) and free(3) per channel: opening and closing a pair then makes no
 * allocator call at all, and a process that opens its first pair links neither function, which with
 * the classes the JDK generates for each new kind of downcall costs milliseconds. Blocks are carved out
 * of slabs of {@link #SLAB} bytes from the global arena and never return to the system: the pool holds
 * as many blocks as were ever in use at once, {@code SIZE} bytes a channel at the peak, and reuses them.
 *
 * <p>Each block is aligned to its size, so that two channels never share a cache line. A block is
 * zeroed when given back, so every block taken is zeroed, as an arena's memory is. The segments are of
 * the global scope: nothing guards them after they are given back, and only an owner whose protocol
 * rules out a use after that (as {@link SocketDescriptor}'s does) may take them. Taking and giving back
 * allocate nothing once the pool has grown to the process's peak. Thread-safe.
 */
final class SmallBlocks {

    /** The size, and alignment, of every block. */
    static final long SIZE = 128;
    /** The size of a slab that blocks are carved out of: one page. */
    static final long SLAB = 4096;

    private static final MemorySegment[] NONE = new MemorySegment[0];

    /** The pool every channel's memory takes its blocks from. */
    static final SmallBlocks SHARED = new SmallBlocks();

    // Room for every block ever carved, so that giving one back never allocates: a close must not fail.
    // Grown by doubling when a slab is carved, so that growing to many channels copies it O(n) in all.
    private MemorySegment[] free = NONE;
    private int freeCount;
    private int carved;
    // The slab new blocks are carved from, and how much of it is used: full until the first take.
    private MemorySegment slab;
    private long slabUsed = SLAB;

    /**
     * Takes a zeroed block, from the blocks given back if there are any, else from a slab.
     *
     * @throws OutOfMemoryError if a new slab is needed and the system has no memory for it
     */
    synchronized MemorySegment take() {
        if (freeCount > 0) {
            MemorySegment block = free[--freeCount];
            free[freeCount] = null;
            return block;
        }
        if (slabUsed == SLAB) {
            int needed = carved + (int) (SLAB / SIZE);
            MemorySegment[] room = needed <= free.length ? free
                    : Arrays.copyOf(free, Math.max(needed, 2 * free.length));
            slab = Arena.global().allocate(SLAB, SIZE);
            free = room;
            slabUsed = 0;
        }
        MemorySegment block = slab.asSlice(slabUsed, SIZE);
        slabUsed += SIZE;
        carved++;
        return block;
    }

    /** Gives back a block {@link #take} returned; nothing may use it after. */
    void giveBack(MemorySegment block) {
        block.fill((byte) 0);
        synchronized (this) {
            free[freeCount++] = block;
        }
    }

    /** The number of blocks given back and not taken again; for tests. */
    synchronized int freeCount() {
        return freeCount;
    }
}

package dev.socketpair.internal;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The native buffers that memory the kernel must not see in place is copied through, shared by every
 * channel: a call takes one for its length and gives it back, so that a channel holds none while no
 * call of its copies, and ten thousand idle channels hold no more than one.
 *
 * <p>Buffers come in the sizes {@link #MIN} to {@link #MAX}, doubling. Between calls each size keeps at
 * most {@link #SLOTS} buffers, in a fixed array of slots; a buffer given back to a full size is freed.
 * Taking and giving back allocate nothing and take no lock: each is an atomic exchange on one slot,
 * looked for from a place that depends on the thread, so that threads on different processors seldom
 * meet on one slot. Thread-safe.
 */
public final class BounceBuffers {

    /** The smallest buffer: one page or two, enough for every small message. */
    static final long MIN = 8 * 1024;
    /** The largest buffer kept; {@link NativeScratch} copies larger whole messages through one of their own. */
    static final long MAX = 256 * 1024;

    private static final int SIZES = Long.numberOfTrailingZeros(MAX / MIN) + 1;
    /** Buffers kept per size: enough for each processor to have a call copying in each direction. */
    static final int SLOTS = Math.clamp(2L * Runtime.getRuntime().availableProcessors(), 4, 64);

    private static final AtomicReferenceArray<MemorySegment> KEPT = new AtomicReferenceArray<>(SIZES * SLOTS);

    private BounceBuffers() {
    }

    /**
     * Takes a buffer of at least {@code size} bytes, at most {@link #MAX}; to be given back with
     * {@link #giveBack}.
     *
     * @throws OutOfMemoryError if there is none to take and calloc(3) finds no memory
     */
    public static MemorySegment take(long size) {
        int sizeIndex = sizeIndex(size);
        int first = sizeIndex * SLOTS;
        int start = startSlot();
        for (int i = 0; i < SLOTS; i++) {
            int slot = first + (start + i) % SLOTS;
            if (KEPT.get(slot) != null) {
                MemorySegment buffer = KEPT.getAndSet(slot, null);
                if (buffer != null) {
                    return buffer;
                }
            }
        }
        return ChannelMemory.calloc(MIN << sizeIndex);
    }

    /** Gives back a buffer {@link #take} returned; nothing may use it after. */
    public static void giveBack(MemorySegment buffer) {
        int first = sizeIndex(buffer.byteSize()) * SLOTS;
        int start = startSlot();
        for (int i = 0; i < SLOTS; i++) {
            if (KEPT.compareAndSet(first + (start + i) % SLOTS, null, buffer)) {
                return;
            }
        }
        Syscalls.free(buffer);
    }

    /** The index of the smallest size that holds {@code size} bytes. */
    private static int sizeIndex(long size) {
        if (size <= MIN) {
            return 0;
        }
        return 64 - Long.numberOfLeadingZeros((size - 1) / MIN);
    }

    private static int startSlot() {
        return (int) (Thread.currentThread().threadId() % SLOTS);
    }
}

package dev.socketpair.internal;

import dev.socketpair.internal.platform.Features;
import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The memory one direction of a channel moves message batches with ({@link MessageBatches}): for each
 * message of a system call a message header with an iovec of its own (an array of {@code struct mmsghdr}
 * for sendmmsg(2) and recvmmsg(2), or of {@code struct msghdr}, one per sendmsg(2) or recvmsg(2), where
 * the system lacks those), and what the call needs to know of each message's buffer.
 *
 * <p>Made by the first batch of its direction ({@link NativeScratch#batch()}), from the direction's
 * memory, and kept: the headers grow to the largest call made, at most {@link MessageBatches#MAX_PER_CALL}
 * messages, and are freed with that memory. Each header points at its iovec from the start, so a call
 * only fills in the iovecs. The segments are unguarded views, as {@link NativeScratch}'s are.
 *
 * <p>Not thread-safe: used only under the lock that serialises its direction.
 */
final class BatchScratch {

    /** The fewest headers allocated, so that small batches never reallocate. */
    private static final int MIN_HEADERS = 8;

    private static final long IOVEC_SIZE = Structs.IOVEC.byteSize();

    private final SegmentAllocator memory;
    private final boolean batched = Features.batchesMessages();
    // One header's size, and where its struct msghdr starts: an mmsghdr's msg_hdr, or a bare msghdr.
    private final long stride = batched ? Structs.MessageBatch.MMSGHDR.byteSize() : Structs.MSGHDR.byteSize();
    private final long messageHeader = batched ? Structs.MessageBatch.MSG_HDR : 0;

    private int capacity;
    // The bytes the messages planned so far copy through the bounce buffer.
    private long copied;
    private MemorySegment headers = MemorySegment.NULL;
    private MemorySegment iovecs = MemorySegment.NULL;
    // Each header alone, for one sendmsg or recvmsg; only where the system has no sendmmsg and recvmmsg.
    private MemorySegment[] each = new MemorySegment[0];
    // For each message of the call in progress: its buffer's position when the call began, where its
    // bytes are in the bounce buffer (-1 if the kernel uses the buffer in place), and what was received.
    private int[] starts = new int[0];
    private long[] copiedAt = new long[0];
    private long[] lengths = new long[0];
    // For each index of the caller's array, the buffer last seen there and a segment over all of its
    // memory: making a segment of a buffer allocates, and callers pass the same buffers again and again.
    // Held weakly, so that no caller's buffer is kept alive by the channel.
    private final WeakSlot<SeenBuffers> seen = new WeakSlot<>();

    /** Buffers by their index in the caller's array, each with a segment over all of its memory. */
    private static final class SeenBuffers {
        final ByteBuffer[] buffers;
        final MemorySegment[] wholes;

        SeenBuffers(ByteBuffer[] buffers, MemorySegment[] wholes) {
            this.buffers = buffers;
            this.wholes = wholes;
        }
    }

    BatchScratch(SegmentAllocator memory) {
        this.memory = memory;
    }

    /** Begins planning a call of up to {@code count} messages, with nothing copied yet. */
    void begin(int count) {
        copied = 0;
        if (count > capacity) {
            grow(count);
        }
    }

    private void grow(int count) {
        int grown = Math.max(count, Math.max(MIN_HEADERS, capacity * 2));
        MemorySegment newHeaders = Downcalls.unguarded(memory.allocate(stride * grown, Structs.MSGHDR.byteAlignment()));
        MemorySegment newIovecs = Downcalls.unguarded(memory.allocate(Structs.IOVEC, grown));
        MemorySegment[] newEach = batched ? each : new MemorySegment[grown];
        for (int i = 0; i < grown; i++) {
            long header = i * stride + messageHeader;
            Structs.MSG_IOV.setAddress(newHeaders, header, newIovecs.asSlice(i * IOVEC_SIZE, IOVEC_SIZE));
            Structs.MSG_IOVLEN.set(newHeaders, header, 1);
            if (!batched) {
                newEach[i] = newHeaders.asSlice(i * stride, stride);
            }
        }
        headers = newHeaders;
        iovecs = newIovecs;
        each = newEach;
        starts = new int[grown];
        copiedAt = new long[grown];
        lengths = new long[grown];
        capacity = grown;
    }

    /** The headers, an array of {@code struct mmsghdr} where the system has sendmmsg and recvmmsg. */
    MemorySegment headers() {
        return headers;
    }

    /** Header {@code index} alone, a {@code struct msghdr}, where the system has no sendmmsg or recvmmsg. */
    MemorySegment header(int index) {
        return each[index];
    }

    /**
     * Describes message {@code index}: {@code length} bytes in place at {@code address}, from position
     * {@code start} of its buffer.
     */
    void inPlace(int index, long address, long length, int start) {
        describe(index, address, length, start, -1);
    }

    /**
     * Describes message {@code index}: {@code length} bytes from position {@code start} of a buffer that
     * is copied, next in the bounce buffer (see {@link #relocate}).
     */
    void copied(int index, long length, int start) {
        describe(index, 0, length, start, copied);
        copied += length;
    }

    /** {@return the bytes the messages planned copy through the bounce buffer} */
    long copied() {
        return copied;
    }

    private void describe(int index, long address, long length, int start, long at) {
        long entry = index * IOVEC_SIZE;
        Structs.IOV_BASE.set(iovecs, entry, address);
        Structs.IOV_LEN.set(iovecs, entry, length);
        starts[index] = start;
        copiedAt[index] = at;
    }

    /** Points message {@code index}, which is copied, at {@code address} in the bounce buffer. */
    void relocate(int index, long address) {
        Structs.IOV_BASE.set(iovecs, index * IOVEC_SIZE, address);
    }

    /** {@return the length of message {@code index}'s iovec} */
    long length(int index) {
        return Structs.IOV_LEN.get(iovecs, index * IOVEC_SIZE);
    }

    /** {@return the position message {@code index}'s buffer had when the call began} */
    int start(int index) {
        return starts[index];
    }

    /** {@return where message {@code index}'s bytes are in the bounce buffer, or -1 if in place} */
    long copiedAt(int index) {
        return copiedAt[index];
    }

    /** Takes the lengths of the first {@code count} messages a recvmmsg received from their headers. */
    void takeReceivedLengths(int count) {
        for (int i = 0; i < count; i++) {
            lengths[i] = Structs.MessageBatch.MSG_LEN.get(headers, i * stride);
        }
    }

    /** Records that message {@code index} received {@code length} bytes (a recvmsg's result). */
    void received(int index, long length) {
        lengths[index] = length;
    }

    /** {@return the bytes message {@code index} received} */
    long received(int index) {
        return lengths[index];
    }

    /**
     * Returns a segment over all of {@code buffer}'s memory, whatever its position and limit, which is
     * at {@code index} of the caller's array: the one made when it was there last, if it was.
     */
    MemorySegment whole(int index, ByteBuffer buffer) {
        SeenBuffers known = seen.get();
        int size = known == null ? 0 : known.buffers.length;
        if (index >= size) {
            int grown = Math.max(index + 1, Math.max(MIN_HEADERS, size * 2));
            known = known == null ? new SeenBuffers(new ByteBuffer[grown], new MemorySegment[grown])
                    : new SeenBuffers(Arrays.copyOf(known.buffers, grown), Arrays.copyOf(known.wholes, grown));
            seen.set(known);
        }
        if (known.buffers[index] != buffer) {
            known.wholes[index] = MemorySegment.ofBuffer(buffer.duplicate().clear());
            known.buffers[index] = buffer;
        }
        return known.wholes[index];
    }
}

package dev.socketpair.internal;

import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The native memory one direction of a channel (its reads, or its writes) works in: the errno capture,
 * the poll set, the epoll event, the message header, the iovec array (with the table of the buffers
 * its entries describe), and, for the length of a call that copies, a bounce buffer taken from
 * {@link BounceBuffers}.
 *
 * <p>It also keeps the transfer of one buffer or segment that the direction made last, and the batch of
 * messages, each used again while callers pass the same buffers, so that a loop over them allocates
 * nothing ({@link Transfer#of}).
 *
 * <p>Not thread-safe: each instance is used only under the lock that serialises its direction, which is
 * what lets every read and write run without allocating; only the last transfer and batch are read and
 * written without it, where a race costs at most a new one. Memory comes from the descriptor's
 * {@link ChannelMemory} and is freed when the descriptor is closed; the parts not every channel needs
 * are allocated on first use and then kept. The segments handed out are unguarded views of that memory
 * ({@link Downcalls#unguarded}): the descriptor frees it only after the last operation has left, so no
 * call can use them after the memory is freed, and a call need not hold an arena open itself.
 */
public final class NativeScratch {

    /** The largest bounce buffer kept between calls; larger whole messages use a temporary one. */
    public static final long MAX_BOUNCE = BounceBuffers.MAX;

    /** The fewest iovec entries allocated, so that a small array of buffers never reallocates. */
    private static final int MIN_IOVECS = 8;

    private static final ByteBuffer[] NO_BUFFERS = new ByteBuffer[0];
    private static final int[] NO_STARTS = new int[0];
    private static final MemorySegment[] NO_COPIES = new MemorySegment[0];

    private static final WeakReference<Transfer> NO_TRANSFER = new WeakReference<>(null);
    private static final WeakReference<Transfer.Messages> NO_BATCH = new WeakReference<>(null);

    private final SegmentAllocator memory;
    private final MemorySegment errno;
    // Held weakly, as a WeakSlot holds, so that the channel never keeps its caller's buffers alive; but
    // here, in an object every call uses, not in a slot of its own that a call would reach through one
    // more object: with thousands of channels, few of a channel's objects are in the processor's cache
    // when its turn comes.
    private WeakReference<Transfer> lastTransfer = NO_TRANSFER;
    // The same for the batch of messages made last, apart, so that a program that mixes batches with
    // single transfers allocates nothing for either.
    private WeakReference<Transfer.Messages> lastBatch = NO_BATCH;
    private MemorySegment pollSet;
    private MemorySegment epollEvent;
    private MemorySegment messageHeader;
    private MemorySegment iovecs;
    private int iovecCapacity;
    // The buffer taken from BounceBuffers, from bounce() until releaseBounce().
    private MemorySegment bounce;
    // The arena of a bounce buffer larger than MAX_BOUNCE, from bounce() until releaseBounce().
    private Arena temporary;
    private MemorySegment control = MemorySegment.NULL;
    private BatchScratch batch;
    // For each iovec entry of the call in progress (see SocketIo.message): the buffer, its position when
    // the call began, and, for a buffer that is copied, a segment over its bytes from there. Cleared after
    // each call, so that no caller's buffer is kept between calls.
    private ByteBuffer[] partBuffers = NO_BUFFERS;
    private int[] partStarts = NO_STARTS;
    private MemorySegment[] partCopies = NO_COPIES;
    /** Scratch memory from {@code memory}, which must outlive every call that uses it. */
    public NativeScratch(SegmentAllocator memory) {
        this.memory = memory;
        this.errno = Downcalls.unguarded(Syscalls.allocateErrnoCapture(memory));
    }

    /** {@return the transfer this direction kept last, or null if none or if it was collected} */
    Transfer lastTransfer() {
        return lastTransfer.get();
    }

    /** Keeps {@code transfer} as this direction's last, instead of the one kept before. */
    void keepTransfer(Transfer transfer) {
        lastTransfer = new WeakReference<>(transfer);
    }

    /** {@return the batch of messages this direction kept last, or null if none or if it was collected} */
    Transfer.Messages lastBatch() {
        return lastBatch.get();
    }

    /** Keeps {@code batch} as this direction's last batch, instead of the one kept before. */
    void keepBatch(Transfer.Messages batch) {
        lastBatch = new WeakReference<>(batch);
    }

    /** The segment downcalls capture errno into. */
    MemorySegment errno() {
        return errno;
    }

    /** A {@code struct pollfd}. */
    MemorySegment pollSet() {
        if (pollSet == null) {
            pollSet = Downcalls.unguarded(memory.allocate(Structs.POLLFD));
        }
        return pollSet;
    }

    /** A {@code struct epoll_event}, for registering with the {@link Poller}. */
    MemorySegment epollEvent() {
        if (epollEvent == null) {
            epollEvent = Downcalls.unguarded(memory.allocate(Structs.Epoll.EPOLL_EVENT));
        }
        return epollEvent;
    }

    /** A {@code struct msghdr}, zeroed. */
    MemorySegment messageHeader() {
        if (messageHeader == null) {
            messageHeader = Downcalls.unguarded(memory.allocate(Structs.MSGHDR));
        }
        return messageHeader.fill((byte) 0);
    }

    /**
     * An array of at least {@code count} {@code struct iovec}, and room for as many parts: allocated on
     * first use even for none, since a message header always points at one.
     */
    MemorySegment iovecs(int count) {
        if (iovecs == null || count > iovecCapacity) {
            iovecCapacity = Math.max(count, Math.max(MIN_IOVECS, iovecCapacity * 2));
            iovecs = Downcalls.unguarded(memory.allocate(Structs.IOVEC, iovecCapacity));
            partBuffers = new ByteBuffer[iovecCapacity];
            partStarts = new int[iovecCapacity];
            partCopies = new MemorySegment[iovecCapacity];
        }
        return iovecs;
    }

    /**
     * Records what iovec entry {@code index} describes: {@code buffer} from its current position, in place
     * if {@code copy} is null, otherwise through the bounce buffer from and to {@code copy}.
     */
    void part(int index, ByteBuffer buffer, MemorySegment copy) {
        partBuffers[index] = buffer;
        partStarts[index] = buffer.position();
        partCopies[index] = copy;
    }

    /** The memory that entry {@code index} is copied from or to, or null if the kernel uses it in place. */
    MemorySegment partCopy(int index) {
        return partCopies[index];
    }

    /**
     * Advances the buffer of entry {@code index} past the {@code moved} bytes it transferred, counted from
     * its position when the call began. A buffer that appears in more than one entry ends after the
     * furthest byte that any of them moved.
     */
    void advancePart(int index, long moved) {
        ByteBuffer buffer = partBuffers[index];
        int end = partStarts[index] + (int) moved;
        if (end > buffer.position()) {
            buffer.position(end);
        }
    }

    /** Forgets the first {@code count} parts. */
    void clearParts(int count) {
        Arrays.fill(partBuffers, 0, count, null);
        Arrays.fill(partCopies, 0, count, null);
    }

    /** The memory of message batches, made by the first batch of this direction. */
    BatchScratch batch() {
        if (batch == null) {
            batch = new BatchScratch(memory);
        }
        return batch;
    }

    /**
     * A buffer of at least {@code size} bytes for ancillary data, aligned as {@code struct cmsghdr}; its
     * contents are whatever the last call left.
     */
    MemorySegment control(long size) {
        if (control.byteSize() < size) {
            long capacity = Math.max(size, control.byteSize() * 2);
            control = memory.allocate(capacity, Structs.ControlMessage.CMSGHDR.byteAlignment());
        }
        return control;
    }

    /**
     * How many of {@code copied} bytes, which the kernel must not see where they are, one call moves
     * through native memory: all of a whole message, and at most {@link #MAX_BOUNCE} of a stream. The one
     * rule every copying transfer follows.
     */
    static long bounceLength(long copied, boolean wholeMessage) {
        return wholeMessage ? copied : Math.min(copied, MAX_BOUNCE);
    }

    /**
     * A native buffer of at least {@code size} bytes to copy through: one taken from
     * {@link BounceBuffers} up to {@link #MAX_BOUNCE}, or for a larger size a temporary one. Every call
     * is paired with {@link #releaseBounce()} in a finally block, which gives it back.
     */
    MemorySegment bounce(long size) {
        if (size == 0) {
            // Nothing to copy: no buffer need be taken from the others.
            return MemorySegment.NULL;
        }
        if (size > MAX_BOUNCE) {
            temporary = Arena.ofConfined();
            return temporary.allocate(size, 16);
        }
        bounce = BounceBuffers.take(size);
        return bounce;
    }

    /** Gives back the buffer {@link #bounce} took, or frees the temporary one it made. */
    void releaseBounce() {
        if (bounce != null) {
            MemorySegment used = bounce;
            bounce = null;
            BounceBuffers.giveBack(used);
        }
        if (temporary != null) {
            Arena used = temporary;
            temporary = null;
            used.close();
        }
    }
}

package dev.socketpair.internal;

import dev.socketpair.internal.libc.cmsghdr;
import dev.socketpair.internal.libc.epoll_event;
import dev.socketpair.internal.libc.iovec;
import dev.socketpair.internal.libc.msghdr;
import dev.socketpair.internal.libc.pollfd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The native memory one direction of a channel (its reads, or its writes) works in: the errno capture,
 * the poll set, the epoll event, the message header, the iovec array and the bounce buffer for heap
 * memory.
 *
 * <p>Not thread-safe: each instance is used only under the lock that serialises its direction, which is
 * what lets every read and write run without allocating. Memory comes from the descriptor's arena and
 * is freed when the descriptor is closed; the parts not every channel needs are allocated on first use
 * and then kept. The segments handed out are unguarded views of that memory
 * ({@link Downcalls#unguarded}): the descriptor closes its arena only after the last operation has
 * left, so no call can use them after the memory is freed, and a call need not hold the shared arena
 * open itself.
 */
public final class NativeScratch {

    /** The largest bounce buffer kept between calls; larger whole messages use a temporary one. */
    public static final long MAX_BOUNCE = 256 * 1024;

    private static final long MIN_BOUNCE = 8 * 1024;

    private final Arena arena;
    private final MemorySegment errno;
    private MemorySegment pollSet;
    private MemorySegment epollEvent;
    private MemorySegment messageHeader;
    private MemorySegment iovecs;
    private int iovecCapacity;
    private MemorySegment bounce = MemorySegment.NULL;
    private MemorySegment control = MemorySegment.NULL;
    // The buffer last seen, and a segment over all of it: callers pass the same buffer again and again,
    // and making a segment of a buffer costs an allocation each time, which slicing a kept one does not.
    // The slice last made is kept too: a loop that clears its buffer before each call asks for the same
    // slice every time, and the JIT does not always do away with a fresh one (heap slices passed on to a
    // critical call escape).
    private ByteBuffer lastBuffer;
    private MemorySegment lastBufferWhole;
    private MemorySegment lastSlice;
    private int lastPosition;
    private int lastRemaining;

    public NativeScratch(Arena arena) {
        this.arena = arena;
        this.errno = Downcalls.unguarded(Syscalls.allocateErrnoCapture(arena));
    }

    /** The segment downcalls capture errno into. */
    MemorySegment errno() {
        return errno;
    }

    /** A {@code struct pollfd}. */
    MemorySegment pollSet() {
        if (pollSet == null) {
            pollSet = Downcalls.unguarded(pollfd.allocate(arena));
        }
        return pollSet;
    }

    /**
     * Returns a segment over {@code buffer}'s remaining bytes, native for a direct buffer, heap for
     * another. A slice of the segment kept for the buffer last seen keeps the buffer's memory session
     * (a downcall holds it open for the call) and its read-only state.
     */
    MemorySegment segmentOf(ByteBuffer buffer) {
        int position = buffer.position();
        int remaining = buffer.remaining();
        if (buffer != lastBuffer) {
            lastBufferWhole = MemorySegment.ofBuffer(buffer.duplicate().clear());
            lastBuffer = buffer;
        } else if (position == lastPosition && remaining == lastRemaining) {
            return lastSlice;
        }
        lastSlice = lastBufferWhole.asSlice(position, remaining);
        lastPosition = position;
        lastRemaining = remaining;
        return lastSlice;
    }

    /**
     * Whether {@link #segmentOf} would answer for {@code buffer} without making a slice that the caller
     * did not cause: the buffer is new to this scratch (a slice for it is due anyway), or it is the
     * last buffer at the same position and size.
     */
    boolean hasSliceFor(ByteBuffer buffer) {
        return buffer != lastBuffer || (buffer.position() == lastPosition && buffer.remaining() == lastRemaining);
    }

    /** A {@code struct epoll_event}, for registering with the {@link Poller}. */
    MemorySegment epollEvent() {
        if (epollEvent == null) {
            epollEvent = Downcalls.unguarded(epoll_event.allocate(arena));
        }
        return epollEvent;
    }

    /** A {@code struct msghdr}, zeroed. */
    MemorySegment messageHeader() {
        if (messageHeader == null) {
            messageHeader = Downcalls.unguarded(msghdr.allocate(arena));
        }
        return messageHeader.fill((byte) 0);
    }

    /** An array of at least {@code count} {@code struct iovec}. */
    MemorySegment iovecs(int count) {
        if (count > iovecCapacity) {
            iovecCapacity = Math.max(count, Math.max(8, iovecCapacity * 2));
            iovecs = Downcalls.unguarded(iovec.allocateArray(iovecCapacity, arena));
        }
        return iovecs;
    }

    /**
     * A buffer of at least {@code size} bytes for ancillary data, aligned as {@code struct cmsghdr}; its
     * contents are whatever the last call left.
     */
    MemorySegment control(long size) {
        if (control.byteSize() < size) {
            long capacity = Math.max(size, control.byteSize() * 2);
            control = arena.allocate(capacity, cmsghdr.layout().byteAlignment());
        }
        return control;
    }

    /** A native buffer of at least {@code size} bytes, {@code size <= MAX_BOUNCE}. */
    MemorySegment bounce(long size) {
        assert size <= MAX_BOUNCE;
        if (bounce.byteSize() < size) {
            long capacity = Math.max(MIN_BOUNCE, Long.highestOneBit(Math.max(1, size - 1)) << 1);
            bounce = Downcalls.unguarded(arena.allocate(Math.min(capacity, MAX_BOUNCE), 16));
        }
        return bounce;
    }
}

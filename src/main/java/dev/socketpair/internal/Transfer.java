package dev.socketpair.internal;

import dev.socketpair.internal.platform.Features;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * What one read or write of a channel moves: one ByteBuffer, a slice of a ByteBuffer array, one memory
 * segment, or one buffer with ancillary data. Each kind makes its system call through {@link SocketIo},
 * which holds the one policy for which memory the kernel uses in place and which is copied; a channel
 * runs the same read or write protocol around every kind.
 *
 * <p>A transfer is used only under the lock of its channel's direction, with that direction's scratch.
 * {@link Buffers} and {@link Segment} are immutable, and {@link Buffer} changes only the segments it
 * keeps for reuse, so a channel may keep one and use it again for the same buffer from any thread; the
 * ancillary kinds record what their operation did and serve one operation each.
 */
public sealed interface Transfer {

    /**
     * Receives into this transfer's memory with one system call, advancing buffer positions by what was
     * stored.
     *
     * @return the number of bytes received, or {@code -errno}
     */
    long receive(int fd, boolean wholeMessage, boolean block, NativeScratch scratch);

    /**
     * Sends, with one system call, what is left after the {@code written} bytes that earlier calls of the
     * same operation sent, advancing buffer positions by what went.
     *
     * @return the number of bytes sent, or {@code -errno}
     */
    long send(int fd, long written, boolean wholeMessage, boolean block, NativeScratch scratch);

    /** Whether bytes are left to send once {@code written} bytes of the operation have gone. */
    boolean hasRemaining(long written);

    /**
     * Whether one successful send completes this transfer in blocking mode: a message does
     * ({@code wholeMessage}), which goes whole or not at all; a stream's bytes, and a batch's messages,
     * go until none are left.
     */
    default boolean sendsAtOnce(boolean wholeMessage) {
        return wholeMessage;
    }

    /**
     * What the read protocol counts of a receive that reported {@code received}, more than 0: all of
     * it, but for a batch of messages, whose empty messages at the end are, where {@code emptyEnds}, no
     * messages at all but end of stream (SEQPACKET) or what a shutdown or close woke the receive with.
     */
    default long counted(long received, boolean emptyEnds) {
        return received;
    }

    /**
     * {@return the errno of a failure that ended the last receive after it had received something, which
     * the next read of the channel is to report, or 0}
     */
    default int deferredErrno() {
        return 0;
    }

    /** Whether this is one buffer or segment of at most {@code bytes} bytes. */
    default boolean isSingleAtMost(long bytes) {
        return false;
    }

    /** The system call this transfer makes, which errors name. */
    String syscall(boolean receiving);

    /** Whether a send carries descriptors of the caller, so that an {@code EBADF} may name one of them. */
    default boolean passesDescriptors() {
        return false;
    }

    /**
     * {@return a transfer of {@code buffer}: the one the direction's {@code scratch} keeps if it is one
     * already, so that a loop over one buffer allocates nothing; otherwise a new one, which the scratch
     * keeps from then on}
     */
    static Buffer of(ByteBuffer buffer, NativeScratch scratch) {
        if (scratch.lastTransfer() instanceof Buffer t && t.buffer == buffer) {
            return t;
        }
        Buffer t = new Buffer(buffer);
        scratch.keepTransfer(t);
        return t;
    }

    /**
     * {@return a batch of {@code buffers[offset .. offset+length)}: the one {@code scratch} keeps if it is
     * that one already, so that a loop over the same buffers allocates nothing; otherwise a new one, kept}
     */
    static Messages of(ByteBuffer[] buffers, int offset, int length, NativeScratch scratch) {
        Messages kept = scratch.lastBatch();
        if (kept != null && kept.buffers == buffers && kept.offset == offset && kept.length == length) {
            return kept;
        }
        Messages t = new Messages(buffers, offset, length);
        scratch.keepBatch(t);
        return t;
    }

    /** {@return a transfer of {@code segment}: the one {@code scratch} keeps if it is one already; otherwise a new one, kept} */
    static Segment of(MemorySegment segment, NativeScratch scratch) {
        if (scratch.lastTransfer() instanceof Segment t && t.segment == segment) {
            return t;
        }
        Segment t = new Segment(segment);
        scratch.keepTransfer(t);
        return t;
    }

    /**
     * The remaining bytes of one ByteBuffer, with send(2) or recv(2).
     *
     * <p>Keeps a segment over all of its buffer, and the slice of it last used: callers pass the same
     * buffer again and again, making a segment of a buffer costs an allocation each time, and the JIT
     * does not always do away with a fresh slice (heap slices passed on to a critical call escape). They
     * live here, in the one object the channel keeps for the buffer, rather than in a cache of their own
     * that a call would reach through more objects: with thousands of channels, few of a channel's
     * objects are still in the processor's cache when its turn comes. The buffer is final; the rest is
     * used only under the lock of the channel's direction.
     */
    final class Buffer implements Transfer {
        private final ByteBuffer buffer;
        private MemorySegment whole;
        private MemorySegment slice;
        private int position = -1;
        private int remaining = -1;

        Buffer(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        ByteBuffer buffer() {
            return buffer;
        }

        /**
         * Returns a segment over the buffer's remaining bytes, native for a direct buffer, heap for
         * another. A slice of the segment over all of the buffer keeps the buffer's memory session (a
         * downcall holds it open for the call) and its read-only state.
         */
        MemorySegment segment() {
            int position = buffer.position();
            int remaining = buffer.remaining();
            if (slice != null && position == this.position && remaining == this.remaining) {
                return slice;
            }
            if (whole == null) {
                whole = MemorySegment.ofBuffer(buffer.duplicate().clear());
            }
            slice = whole.asSlice(position, remaining);
            this.position = position;
            this.remaining = remaining;
            return slice;
        }

        /**
         * Whether {@link #segment} would answer without making a slice that the caller did not cause:
         * none was made yet (one is due anyway), or the buffer is at the position and size of the last.
         */
        boolean hasSlice() {
            return slice == null || (buffer.position() == position && buffer.remaining() == remaining);
        }

        @Override
        public long receive(int fd, boolean wholeMessage, boolean block, NativeScratch scratch) {
            return SocketIo.receive(fd, this, wholeMessage, block, scratch);
        }

        @Override
        public long send(int fd, long written, boolean wholeMessage, boolean block, NativeScratch scratch) {
            return SocketIo.send(fd, this, wholeMessage, block, scratch);
        }

        @Override
        public boolean hasRemaining(long written) {
            return buffer.hasRemaining();
        }

        @Override
        public boolean isSingleAtMost(long bytes) {
            return buffer.remaining() <= bytes;
        }

        @Override
        public String syscall(boolean receiving) {
            return receiving ? "recv" : "send";
        }
    }

    /**
     * The remaining bytes of {@code buffers[offset .. offset+length)}, in order, with sendmsg(2) or
     * recvmsg(2). A buffer may appear more than once: each appearance covers its remaining bytes as they
     * were when the call began.
     */
    record Buffers(ByteBuffer[] buffers, int offset, int length) implements Transfer {
        @Override
        public long receive(int fd, boolean wholeMessage, boolean block, NativeScratch scratch) {
            return SocketIo.receive(fd, buffers, offset, length, wholeMessage, block, scratch);
        }

        @Override
        public long send(int fd, long written, boolean wholeMessage, boolean block, NativeScratch scratch) {
            return SocketIo.send(fd, buffers, offset, length, wholeMessage, block, scratch);
        }

        @Override
        public boolean hasRemaining(long written) {
            for (int i = offset; i < offset + length; i++) {
                if (buffers[i].hasRemaining()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String syscall(boolean receiving) {
            return receiving ? "recvmsg" : "sendmsg";
        }
    }

    /** All of one memory segment, from its start, with send(2) or recv(2). */
    record Segment(MemorySegment segment) implements Transfer {
        @Override
        public long receive(int fd, boolean wholeMessage, boolean block, NativeScratch scratch) {
            return SocketIo.receive(fd, segment, wholeMessage, block, scratch);
        }

        @Override
        public long send(int fd, long written, boolean wholeMessage, boolean block, NativeScratch scratch) {
            return SocketIo.send(fd, written == 0 ? segment : segment.asSlice(written), wholeMessage, block, scratch);
        }

        @Override
        public boolean hasRemaining(long written) {
            return written < segment.byteSize();
        }

        @Override
        public boolean isSingleAtMost(long bytes) {
            return segment.byteSize() <= bytes;
        }

        @Override
        public String syscall(boolean receiving) {
            return receiving ? "recv" : "send";
        }
    }

    /**
     * Many messages, one per buffer of {@code buffers[offset .. offset+length)}: each buffer's remaining
     * bytes sent as a message of their own, or one message received into each buffer's space, with
     * sendmmsg(2) or recvmmsg(2), or a sendmsg(2) or recvmsg(2) each where the system lacks those (see
     * {@link MessageBatches}). Counts are of messages, not bytes.
     *
     * <p>A channel keeps one for the same buffers, as it keeps a {@link Buffer}, from any thread; what a
     * receive found is recorded here and read by the channel under the same lock before the next
     * receive.
     */
    final class Messages implements Transfer {
        private final ByteBuffer[] buffers;
        private final int offset;
        private final int length;
        // Set by each receive (MessageBatches.receive): how many of the messages it received at the end
        // are empty, and the errno of a failure after its first message.
        int emptyAtEnd;
        int deferredErrno;

        private Messages(ByteBuffer[] buffers, int offset, int length) {
            this.buffers = buffers;
            this.offset = offset;
            this.length = length;
        }

        ByteBuffer[] buffers() {
            return buffers;
        }

        int offset() {
            return offset;
        }

        int length() {
            return length;
        }

        @Override
        public long receive(int fd, boolean wholeMessage, boolean block, NativeScratch scratch) {
            return MessageBatches.receive(fd, this, block, scratch);
        }

        @Override
        public long send(int fd, long written, boolean wholeMessage, boolean block, NativeScratch scratch) {
            return MessageBatches.send(fd, buffers, offset + (int) written, length - (int) written, block, scratch);
        }

        @Override
        public boolean hasRemaining(long written) {
            return written < length;
        }

        @Override
        public boolean sendsAtOnce(boolean wholeMessage) {
            return false;
        }

        @Override
        public long counted(long received, boolean emptyEnds) {
            return emptyEnds ? received - emptyAtEnd : received;
        }

        @Override
        public int deferredErrno() {
            return deferredErrno;
        }

        @Override
        public String syscall(boolean receiving) {
            if (Features.batchesMessages()) {
                return receiving ? "recvmmsg" : "sendmmsg";
            }
            return receiving ? "recvmsg" : "sendmsg";
        }
    }

    /**
     * A buffer's remaining bytes sent with ancillary data (descriptors, credentials), with sendmsg(2).
     * The data goes with the first bytes sent; {@link #sent()} tells whether any sendmsg succeeded, since
     * an empty datagram sent and one not sent both write 0 bytes.
     */
    final class SendAncillary implements Transfer {
        private final ByteBuffer src;
        private final int[] fds;
        private final boolean credentials;
        private boolean sent;

        public SendAncillary(ByteBuffer src, int[] fds, boolean credentials) {
            this.src = src;
            this.fds = fds;
            this.credentials = credentials;
        }

        /** {@return whether a sendmsg of this transfer succeeded} */
        public boolean sent() {
            return sent;
        }

        @Override
        public long receive(int fd, boolean wholeMessage, boolean block, NativeScratch scratch) {
            throw new AssertionError("ancillary data to send is never received");
        }

        @Override
        public long send(int fd, long written, boolean wholeMessage, boolean block, NativeScratch scratch) {
            // The kernel attaches control data to the first byte that goes: the rest of a stream goes without.
            MemorySegment control = written == 0
                    ? ControlMessages.outgoing(scratch, fds, credentials)
                    : MemorySegment.NULL;
            long n = SocketIo.sendWithControl(fd, src, control, wholeMessage, block, scratch);
            sent |= n >= 0;
            return n;
        }

        @Override
        public boolean hasRemaining(long written) {
            return src.hasRemaining();
        }

        @Override
        public String syscall(boolean receiving) {
            return "sendmsg";
        }

        @Override
        public boolean passesDescriptors() {
            return fds.length > 0;
        }
    }

    /**
     * Bytes received into a buffer together with ancillary data, with recvmsg(2): how many descriptors
     * the caller accepts, and what the successful recvmsg brought.
     */
    final class ReceiveAncillary implements Transfer {
        private final ByteBuffer dst;
        private final int maxDescriptors;
        // msg_controllen and msg_flags of the last recvmsg
        private final long[] result = new long[2];
        private ControlMessages.Received received;

        public ReceiveAncillary(ByteBuffer dst, int maxDescriptors) {
            this.dst = dst;
            this.maxDescriptors = maxDescriptors;
        }

        /** {@return what the control data of the successful recvmsg carried, or null if none succeeded} */
        public ControlMessages.Received received() {
            return received;
        }

        /** {@return the {@code msg_flags} of the successful recvmsg} */
        public int flags() {
            return (int) result[1];
        }

        @Override
        public long receive(int fd, boolean wholeMessage, boolean block, NativeScratch scratch) {
            MemorySegment control = ControlMessages.incoming(scratch, maxDescriptors);
            long n;
            try {
                n = SocketIo.receiveWithControl(fd, dst, control, wholeMessage, block, scratch, result);
            } catch (RuntimeException bytesNotStored) {
                // The message came but could not be stored (the buffer's arena was closed during the
                // call): the descriptors that came with it would have no owner.
                ControlMessages.parse(control, result[0], 0, scratch);
                throw bytesNotStored;
            }
            if (n >= 0) {
                received = ControlMessages.parse(control, result[0], maxDescriptors, scratch);
            }
            return n;
        }

        @Override
        public long send(int fd, long written, boolean wholeMessage, boolean block, NativeScratch scratch) {
            throw new AssertionError("a receive with ancillary data is never sent");
        }

        @Override
        public boolean hasRemaining(long written) {
            throw new AssertionError("a receive with ancillary data is never sent");
        }

        @Override
        public String syscall(boolean receiving) {
            return "recvmsg";
        }
    }
}

package dev.socketpair.internal;

import dev.socketpair.internal.libc.Libc;
import dev.socketpair.internal.libc.iovec;
import dev.socketpair.internal.libc.msghdr;
import dev.socketpair.internal.libc.pollfd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * One transfer on a socket with one system call, and the wait for readiness between transfers.
 *
 * <p>With {@code block} false a transfer passes {@code MSG_DONTWAIT} and never waits in the kernel,
 * whatever the descriptor's {@code O_NONBLOCK} flag says; with {@code block} true it waits there as C
 * code would, on a descriptor in blocking mode. Every send passes {@code MSG_NOSIGNAL}, so a vanished
 * peer is an {@code EPIPE}, never a SIGPIPE. Native memory is used in place; heap memory is used in
 * place by critical calls where the transfer cannot block, and otherwise goes through the scratch
 * bounce buffer.
 *
 * <p>Each method returns the number of bytes transferred or {@code -errno}; ByteBuffer positions are
 * advanced by what was transferred. With {@code wholeMessage} (DGRAM and SEQPACKET) one call moves one
 * message however large, as in C; without it (STREAM) heap memory moves at most
 * {@link NativeScratch#MAX_BOUNCE} bytes per call.
 */
public final class SocketIo {

    private static final int DONTWAIT = Libc.MSG_DONTWAIT();
    private static final int NOSIGNAL = Libc.MSG_NOSIGNAL();
    private static final int IOV_MAX = Libc.IOV_MAX();
    /** Below this a blocking heap transfer copies rather than trying a non-blocking call first. */
    private static final long IN_PLACE_MIN = 4096;
    private static final short POLLIN = (short) Libc.POLLIN();
    private static final short POLLOUT = (short) Libc.POLLOUT();
    private static final int CMSG_CLOEXEC = Libc.MSG_CMSG_CLOEXEC();
    private static final int TRUNC = Libc.MSG_TRUNC();

    private SocketIo() {
    }

    /** Receives into {@code dst}'s remaining bytes. */
    public static long receive(int fd, ByteBuffer dst, boolean wholeMessage, boolean block, NativeScratch scratch) {
        return transfer(true, fd, dst, wholeMessage, block, scratch);
    }

    /** Sends {@code src}'s remaining bytes. */
    public static long send(int fd, ByteBuffer src, boolean wholeMessage, boolean block, NativeScratch scratch) {
        return transfer(false, fd, src, wholeMessage, block, scratch);
    }

    private static long transfer(boolean receiving, int fd, ByteBuffer buffer, boolean wholeMessage, boolean block,
                                 NativeScratch scratch) {
        long n = copiesThroughBounce(buffer, block, scratch)
                ? transferArrayVia(receiving, fd, buffer, wholeMessage, scratch)
                : transfer(receiving, fd, scratch.segmentOf(buffer), wholeMessage, block, scratch);
        if (n > 0) {
            buffer.position(buffer.position() + (int) n);
        }
        return n;
    }

    /** Receives into {@code dst}. */
    public static long receive(int fd, MemorySegment dst, boolean wholeMessage, boolean block,
                               NativeScratch scratch) {
        return transfer(true, fd, dst, wholeMessage, block, scratch);
    }

    /** Sends {@code src}. */
    public static long send(int fd, MemorySegment src, boolean wholeMessage, boolean block, NativeScratch scratch) {
        return transfer(false, fd, src, wholeMessage, block, scratch);
    }

    private static long transfer(boolean receiving, int fd, MemorySegment memory, boolean wholeMessage,
                                 boolean block, NativeScratch scratch) {
        int flags = flags(receiving, block);
        if (memory.isNative()) {
            if (!block && Syscalls.criticalCallsAvailable()) {
                return receiving
                        ? Syscalls.recvCritical(fd, memory, memory.byteSize(), flags, scratch.errno())
                        : Syscalls.sendCritical(fd, memory, memory.byteSize(), flags, scratch.errno());
            }
            return call(receiving, fd, memory, memory.byteSize(), flags, scratch);
        }
        // Heap memory is read or written in place by a critical call, which must not block: always when
        // not blocking, and first, for large transfers, when blocking (only if that would block does the
        // transfer wait in the kernel through the bounce buffer).
        if (Syscalls.criticalCallsAvailable() && (!block || memory.byteSize() >= IN_PLACE_MIN)) {
            int noWait = flags | DONTWAIT;
            long n = receiving
                    ? Syscalls.recvCritical(fd, memory, memory.byteSize(), noWait, scratch.errno())
                    : Syscalls.sendCritical(fd, memory, memory.byteSize(), noWait, scratch.errno());
            if (!block || n != -Errno.EAGAIN) {
                return n;
            }
        }
        long length = wholeMessage ? memory.byteSize() : Math.min(memory.byteSize(), NativeScratch.MAX_BOUNCE);
        if (length > NativeScratch.MAX_BOUNCE) {
            try (Arena temporary = Arena.ofConfined()) {
                return transferVia(temporary.allocate(length), receiving, fd, memory, length, flags, scratch);
            }
        }
        return transferVia(scratch.bounce(length), receiving, fd, memory, length, flags, scratch);
    }

    /**
     * Whether a blocking transfer of a heap buffer goes through the bounce buffer straight from its
     * array, without making a segment of the buffer: when it is small (see
     * {@link #transfer(boolean, int, MemorySegment, boolean, boolean, NativeScratch)}), and when it is
     * the rest of a buffer part-way through (a partial write), which would need a new slice of the
     * buffer's segment, an allocation, only to find the socket full again.
     */
    private static boolean copiesThroughBounce(ByteBuffer buffer, boolean block, NativeScratch scratch) {
        return block && !buffer.isDirect() && buffer.hasArray()
                && (buffer.remaining() < IN_PLACE_MIN || !scratch.hasSliceFor(buffer));
    }

    private static long transferArrayVia(boolean receiving, int fd, ByteBuffer heap, boolean wholeMessage,
                                         NativeScratch scratch) {
        int remaining = heap.remaining();
        if (wholeMessage && remaining > NativeScratch.MAX_BOUNCE) {
            return transferArrayViaTemporary(receiving, fd, heap, scratch);
        }
        // Kept shallow on purpose: the JIT must inline down to the downcall for the capture segment's
        // checks to allocate nothing.
        int length = (int) Math.min(remaining, NativeScratch.MAX_BOUNCE);
        int index = heap.arrayOffset() + heap.position();
        MemorySegment bounce = scratch.bounce(length);
        int flags = flags(receiving, true);
        if (receiving) {
            long n = Syscalls.recv(fd, bounce, length, flags, scratch.errno());
            if (n > 0) {
                MemorySegment.copy(bounce, ValueLayout.JAVA_BYTE, 0, heap.array(), index, (int) n);
            }
            return n;
        }
        MemorySegment.copy(heap.array(), index, bounce, ValueLayout.JAVA_BYTE, 0, length);
        return Syscalls.send(fd, bounce, length, flags, scratch.errno());
    }

    /** A whole message larger than the kept bounce buffer: through a temporary one. */
    private static long transferArrayViaTemporary(boolean receiving, int fd, ByteBuffer heap, NativeScratch scratch) {
        int length = heap.remaining();
        int index = heap.arrayOffset() + heap.position();
        try (Arena temporary = Arena.ofConfined()) {
            MemorySegment bounce = temporary.allocate(length);
            if (!receiving) {
                MemorySegment.copy(heap.array(), index, bounce, ValueLayout.JAVA_BYTE, 0, length);
            }
            long n = call(receiving, fd, bounce, length, flags(receiving, true), scratch);
            if (receiving && n > 0) {
                MemorySegment.copy(bounce, ValueLayout.JAVA_BYTE, 0, heap.array(), index, (int) n);
            }
            return n;
        }
    }

    /** Moves heap memory through native {@code bounce}: copied in before a send, out after a receive. */
    private static long transferVia(MemorySegment bounce, boolean receiving, int fd, MemorySegment heap,
                                    long length, int flags, NativeScratch scratch) {
        if (!receiving) {
            MemorySegment.copy(heap, 0, bounce, 0, length);
        }
        long n = call(receiving, fd, bounce, length, flags, scratch);
        if (receiving && n > 0) {
            MemorySegment.copy(bounce, 0, heap, 0, n);
        }
        return n;
    }

    private static int flags(boolean receiving, boolean block) {
        return (block ? 0 : DONTWAIT) | (receiving ? 0 : NOSIGNAL);
    }

    private static long call(boolean receiving, int fd, MemorySegment buffer, long length, int flags,
                             NativeScratch scratch) {
        return receiving
                ? Syscalls.recv(fd, buffer, length, flags, scratch.errno())
                : Syscalls.send(fd, buffer, length, flags, scratch.errno());
    }

    /**
     * Receives into {@code dsts[offset .. offset+length)} with one recvmsg, filling them in order. At
     * most IOV_MAX buffers take part.
     */
    public static long receive(int fd, ByteBuffer[] dsts, int offset, int length, boolean wholeMessage,
                               boolean block, NativeScratch scratch) {
        return transferVectored(true, fd, dsts, offset, length, wholeMessage, block, scratch);
    }

    /**
     * Sends {@code srcs[offset .. offset+length)} with one sendmsg, gathered in order. At most IOV_MAX
     * buffers take part.
     */
    public static long send(int fd, ByteBuffer[] srcs, int offset, int length, boolean wholeMessage,
                            boolean block, NativeScratch scratch) {
        return transferVectored(false, fd, srcs, offset, length, wholeMessage, block, scratch);
    }

    private static long transferVectored(boolean receiving, int fd, ByteBuffer[] buffers, int offset,
                                         int length, boolean wholeMessage, boolean block, NativeScratch scratch) {
        // Buffers already drained by earlier calls would otherwise use up the IOV_MAX entries.
        while (length > 0 && !buffers[offset].hasRemaining()) {
            offset++;
            length--;
        }
        int count = Math.min(length, IOV_MAX);
        long heapBytes = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer b = buffers[offset + i];
            if (!b.isDirect()) {
                heapBytes += b.remaining();
            }
        }
        if (!wholeMessage) {
            heapBytes = Math.min(heapBytes, NativeScratch.MAX_BOUNCE);
        }
        int flags = flags(receiving, block);
        if (heapBytes > NativeScratch.MAX_BOUNCE) {
            try (Arena temporary = Arena.ofConfined()) {
                return transferVectoredVia(temporary.allocate(heapBytes), heapBytes, receiving, fd, buffers,
                        offset, count, flags, scratch);
            }
        }
        return transferVectoredVia(scratch.bounce(heapBytes), heapBytes, receiving, fd, buffers, offset, count,
                flags, scratch);
    }

    /**
     * Fills the iovec array (heap buffers get consecutive slices of {@code bounce}, up to
     * {@code heapBytes} in all), makes the call, then copies received bytes out of the bounce buffer and
     * advances every buffer's position by its share of the result.
     */
    private static long transferVectoredVia(MemorySegment bounce, long heapBytes, boolean receiving, int fd,
                                            ByteBuffer[] buffers, int offset, int count, int flags,
                                            NativeScratch scratch) {
        MemorySegment iov = scratch.iovecs(count);
        long bounceUsed = 0;
        int used = 0;
        for (; used < count; used++) {
            ByteBuffer b = buffers[offset + used];
            MemorySegment entry = iovec.asSlice(iov, used);
            if (b.isDirect()) {
                MemorySegment segment = MemorySegment.ofBuffer(b);
                iovec.iov_base(entry, segment);
                iovec.iov_len(entry, segment.byteSize());
            } else {
                long share = Math.min(b.remaining(), heapBytes - bounceUsed);
                if (share == 0 && b.hasRemaining()) {
                    break;
                }
                MemorySegment slice = bounce.asSlice(bounceUsed, share);
                if (!receiving) {
                    MemorySegment.copy(MemorySegment.ofBuffer(b), 0, slice, 0, share);
                }
                iovec.iov_base(entry, slice);
                iovec.iov_len(entry, share);
                bounceUsed += share;
            }
        }
        MemorySegment header = scratch.messageHeader();
        msghdr.msg_iov(header, iov);
        msghdr.msg_iovlen(header, used);
        long n = receiving
                ? Syscalls.recvmsg(fd, header, flags, scratch.errno())
                : Syscalls.sendmsg(fd, header, flags, scratch.errno());
        long left = n;
        long bounceOffset = 0;
        for (int i = 0; i < used && left > 0; i++) {
            ByteBuffer b = buffers[offset + i];
            long entryLength = iovec.iov_len(iovec.asSlice(iov, i));
            int moved = (int) Math.min(left, entryLength);
            if (!b.isDirect()) {
                if (receiving) {
                    MemorySegment.copy(bounce, bounceOffset, MemorySegment.ofBuffer(b), 0, moved);
                }
                bounceOffset += entryLength;
            }
            b.position(b.position() + moved);
            left -= moved;
        }
        return n;
    }

    /**
     * Sends {@code src}'s remaining bytes with one sendmsg(2) carrying {@code control} (from
     * {@link ControlMessages#outgoing}, or {@link MemorySegment#NULL} for none) as ancillary data. The
     * kernel attaches the control data to the first byte that goes: a caller that sends the rest of a
     * partly written stream passes none. Heap memory goes through the scratch bounce buffer, at most
     * {@link NativeScratch#MAX_BOUNCE} bytes unless {@code wholeMessage}.
     *
     * @return the number of bytes sent, or {@code -errno}
     */
    public static long sendWithControl(int fd, ByteBuffer src, MemorySegment control, boolean wholeMessage,
                                       boolean block, NativeScratch scratch) {
        return transferWithControl(false, fd, src, control, 0, wholeMessage, block, scratch, null);
    }

    /**
     * Receives into {@code dst}'s remaining bytes with one recvmsg(2), the ancillary data into
     * {@code control}. Received descriptors are close-on-exec ({@code MSG_CMSG_CLOEXEC}); with
     * {@code wholeMessage} the call passes {@code MSG_TRUNC}, so that it returns a message's real length
     * even when the message was longer than {@code dst} ({@code dst}'s position advances by what was
     * stored). {@code result[0]} receives {@code msg_controllen} and {@code result[1]} {@code msg_flags}.
     *
     * @return the number of bytes of the message, or {@code -errno}
     */
    public static long receiveWithControl(int fd, ByteBuffer dst, MemorySegment control, boolean wholeMessage,
                                          boolean block, NativeScratch scratch, long[] result) {
        int extra = CMSG_CLOEXEC | (wholeMessage ? TRUNC : 0);
        return transferWithControl(true, fd, dst, control, extra, wholeMessage, block, scratch, result);
    }

    private static long transferWithControl(boolean receiving, int fd, ByteBuffer buffer, MemorySegment control,
                                            int extraFlags, boolean wholeMessage, boolean block,
                                            NativeScratch scratch, long[] result) {
        int remaining = buffer.remaining();
        if (buffer.isDirect() || remaining == 0) {
            MemorySegment memory = remaining == 0 ? MemorySegment.NULL : scratch.segmentOf(buffer);
            return messageCall(receiving, fd, buffer, memory, remaining, control, extraFlags, block, scratch, result,
                    null);
        }
        int length = wholeMessage ? remaining : (int) Math.min(remaining, NativeScratch.MAX_BOUNCE);
        if (length > NativeScratch.MAX_BOUNCE) {
            try (Arena temporary = Arena.ofConfined()) {
                return messageCall(receiving, fd, buffer, temporary.allocate(length), length, control, extraFlags,
                        block, scratch, result, buffer);
            }
        }
        return messageCall(receiving, fd, buffer, scratch.bounce(length), length, control, extraFlags, block,
                scratch, result, buffer);
    }

    /**
     * One sendmsg or recvmsg with one iovec over {@code memory}; {@code heap}, if not null, is the heap
     * buffer that {@code memory} bounces for, copied in before a send and out after a receive.
     */
    private static long messageCall(boolean receiving, int fd, ByteBuffer buffer, MemorySegment memory, int length,
                                    MemorySegment control, int extraFlags, boolean block, NativeScratch scratch,
                                    long[] result, ByteBuffer heap) {
        int position = buffer.position();
        if (heap != null && !receiving) {
            MemorySegment.copy(heap.array(), heap.arrayOffset() + position, memory, ValueLayout.JAVA_BYTE, 0, length);
        }
        MemorySegment iov = scratch.iovecs(1);
        iovec.iov_base(iov, memory);
        iovec.iov_len(iov, length);
        MemorySegment header = scratch.messageHeader();
        msghdr.msg_iov(header, iov);
        msghdr.msg_iovlen(header, 1);
        msghdr.msg_control(header, control);
        msghdr.msg_controllen(header, control.byteSize());
        int flags = flags(receiving, block) | extraFlags;
        long n = receiving
                ? Syscalls.recvmsg(fd, header, flags, scratch.errno())
                : Syscalls.sendmsg(fd, header, flags, scratch.errno());
        if (result != null) {
            result[0] = n >= 0 ? msghdr.msg_controllen(header) : 0;
            result[1] = n >= 0 ? msghdr.msg_flags(header) : 0;
        }
        if (n > 0) {
            int stored = (int) Math.min(n, length);
            if (heap != null && receiving) {
                MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, 0, heap.array(), heap.arrayOffset() + position,
                        stored);
            }
            buffer.position(position + stored);
        }
        return n;
    }

    /**
     * Blocks in poll(2) until {@code fd} can be read or written (or has an error or hang-up, which the
     * next transfer reports). Only needed when a blocking transfer returned EAGAIN because another
     * holder of the socket set {@code O_NONBLOCK} on it; a shutdown by close wakes it.
     *
     * @return the number of ready descriptors, or {@code -errno}
     */
    public static int await(int fd, boolean reading, NativeScratch scratch) {
        MemorySegment socket = scratch.pollSet();
        pollfd.fd(socket, fd);
        pollfd.events(socket, reading ? POLLIN : POLLOUT);
        pollfd.revents(socket, (short) 0);
        return Syscalls.poll(socket, 1, -1, scratch.errno());
    }
}

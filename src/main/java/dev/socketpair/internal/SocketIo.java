package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.Structs;
import dev.socketpair.internal.platform.Features;

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
 * peer is an {@code EPIPE}, never a SIGPIPE.
 *
 * <p>Where the kernel reads and writes. One buffer or segment goes to send(2) or recv(2) as a downcall
 * argument, which the linker checks (a closed arena, another thread's confined memory) and keeps alive
 * for the call: native memory is used in place, heap memory in place by a critical call where the call
 * cannot block, and otherwise copied. An array of buffers, or a buffer with ancillary data, goes to
 * sendmsg(2) or recvmsg(2) as bare addresses in an iovec array, which nothing checks or keeps alive:
 * there a buffer is used in place only if its memory is native and can never be freed while the buffer
 * is reachable (see {@link #staysAlive}); any other is copied, and the copy checks it as any access
 * does, so the kernel only ever sees memory that the caller's buffers keep alive or that the channel
 * owns.
 *
 * <p>Every copy follows one rule ({@link NativeScratch#bounceLength}). With {@code wholeMessage} (DGRAM
 * and SEQPACKET) one call moves one message however large, as in C, copying all of it, through a
 * temporary buffer if it is larger than {@link NativeScratch#MAX_BOUNCE}. Without it (STREAM) a call
 * copies at most {@code MAX_BOUNCE} bytes: an iovec array then ends with the first copied buffer that
 * does not fit whole, holding the part of it that fits, so the bytes a call moves are always the first
 * ones of its buffers, in order.
 *
 * <p>Each method returns the number of bytes transferred or {@code -errno}; ByteBuffer positions are
 * advanced by what was transferred.
 */
public final class SocketIo {

    private static final CLibrary C = Platform.current().library();
    private static final int DONTWAIT = C.constant("MSG_DONTWAIT");
    private static final int NOSIGNAL = C.constant("MSG_NOSIGNAL");
    private static final int IOV_MAX = C.constant("IOV_MAX");
    /** Below this a blocking heap transfer copies rather than trying a non-blocking call first. */
    private static final long IN_PLACE_MIN = 4096;
    private static final short POLLIN = (short) C.constant("POLLIN");
    private static final short POLLOUT = (short) C.constant("POLLOUT");
    /** Where recvmsg cannot install descriptors close-on-exec, {@link ControlMessages#parse} makes them so. */
    private static final int CMSG_CLOEXEC = Features.receivesCloseOnExec() ? C.constant("MSG_CMSG_CLOEXEC") : 0;
    private static final int TRUNC = C.constant("MSG_TRUNC");

    /**
     * The classes of the memory scopes that are never closed: the global arena's, that of memory a heap
     * object keeps alive (ByteBuffer.allocateDirect, mapped files), and the automatic arena's. Taken from
     * instances, since the API names no such classes; if a class of a scope that can be closed is among
     * them, no scope is trusted and every direct buffer is copied.
     */
    private static final Class<?>[] NEVER_CLOSED = neverClosedScopes();

    private SocketIo() {
    }

    private static Class<?>[] neverClosedScopes() {
        Class<?>[] never = {
                Arena.global().scope().getClass(),
                MemorySegment.ofArray(new byte[0]).scope().getClass(),
                Arena.ofAuto().scope().getClass()};
        Class<?> confined = Arena.ofConfined().scope().getClass();
        Class<?> shared = Arena.ofShared().scope().getClass();
        for (Class<?> c : never) {
            if (c == confined || c == shared) {
                return new Class<?>[0];
            }
        }
        return never;
    }

    /**
     * Whether {@code memory} may go to the kernel as a bare address for a whole call: native memory of a
     * scope that is never closed, so that it lives as long as the buffer over it is reachable (which the
     * caller's array ensures). Memory of an arena that can be closed cannot: nothing would stop its
     * owner from closing it during the call, nor another thread from using confined memory.
     */
    static boolean staysAlive(MemorySegment memory) {
        if (!memory.isNative()) {
            return false;
        }
        Class<?> scope = memory.scope().getClass();
        for (Class<?> c : NEVER_CLOSED) {
            if (scope == c) {
                return true;
            }
        }
        return false;
    }

    // -- one buffer or segment: send(2) and recv(2)

    /** Receives into {@code dst}'s remaining bytes. */
    static long receive(int fd, Transfer.Buffer dst, boolean wholeMessage, boolean block, NativeScratch scratch) {
        return transfer(true, fd, dst, wholeMessage, block, scratch);
    }

    /** Sends {@code src}'s remaining bytes. */
    static long send(int fd, Transfer.Buffer src, boolean wholeMessage, boolean block, NativeScratch scratch) {
        return transfer(false, fd, src, wholeMessage, block, scratch);
    }

    private static long transfer(boolean receiving, int fd, Transfer.Buffer transfer, boolean wholeMessage,
                                 boolean block, NativeScratch scratch) {
        ByteBuffer buffer = transfer.buffer();
        // One call of the method below, not one in each branch: each call site would be a copy of it.
        boolean viaArray = copiesThroughBounce(transfer, block);
        long n = transfer(receiving, fd, viaArray ? null : transfer.segment(), viaArray ? buffer.array() : null,
                viaArray ? buffer.arrayOffset() + buffer.position() : 0, buffer.remaining(), wholeMessage, block,
                scratch);
        if (n > 0) {
            buffer.position(buffer.position() + (int) n);
        }
        return n;
    }

    /** Receives into {@code dst}. */
    static long receive(int fd, MemorySegment dst, boolean wholeMessage, boolean block, NativeScratch scratch) {
        return transfer(true, fd, dst, wholeMessage, block, scratch);
    }

    /** Sends {@code src}. */
    static long send(int fd, MemorySegment src, boolean wholeMessage, boolean block, NativeScratch scratch) {
        return transfer(false, fd, src, wholeMessage, block, scratch);
    }

    private static long transfer(boolean receiving, int fd, MemorySegment memory, boolean wholeMessage,
                                 boolean block, NativeScratch scratch) {
        return transfer(receiving, fd, memory, null, 0, memory.byteSize(), wholeMessage, block, scratch);
    }

    /**
     * Moves {@code size} bytes of {@code memory}, or if it is null of {@code array} from {@code index},
     * with one system call, or two where a heap transfer in place would block. Native memory is used in
     * place. Heap memory is used in place by a critical call, which must not block: always when not
     * blocking, and first, for large transfers, when blocking (only if that would block does the
     * transfer wait in the kernel through the bounce buffer). An array, and heap memory that no critical
     * call may use, go through the bounce buffer.
     *
     * <p>The one place where a single buffer's system calls are made, with one critical and one ordinary
     * call site for each direction, on purpose. Each downcall slices its capture segment (a check in the
     * JDK's adapter), an allocation that escape analysis removes only where the JIT inlines the adapter
     * whole; a compiled method with many downcall sites can exhaust its inlining budget part-way, and
     * every site past that point then allocates on every call.
     */
    private static long transfer(boolean receiving, int fd, MemorySegment memory, byte[] array, int index,
                                 long size, boolean wholeMessage, boolean block, NativeScratch scratch) {
        int flags = flags(receiving, block);
        boolean inPlace = memory != null && memory.isNative();
        boolean critical = Syscalls.criticalCallsAvailable()
                && (inPlace ? !block : memory != null && (!block || size >= IN_PLACE_MIN));
        if (critical) {
            int noWait = flags | DONTWAIT;
            long n = receiving
                    ? Syscalls.recvCritical(fd, memory, size, noWait, scratch.errno())
                    : Syscalls.sendCritical(fd, memory, size, noWait, scratch.errno());
            if (inPlace || !block || n != -Errno.EAGAIN) {
                return n;
            }
        }
        long length = inPlace ? size : NativeScratch.bounceLength(size, wholeMessage);
        MemorySegment target = inPlace ? memory : scratch.bounce(length);
        try {
            if (!inPlace && !receiving) {
                if (memory == null) {
                    MemorySegment.copy(array, index, target, ValueLayout.JAVA_BYTE, 0, (int) length);
                } else {
                    MemorySegment.copy(memory, 0, target, 0, length);
                }
            }
            long n = receiving
                    ? Syscalls.recv(fd, target, length, flags, scratch.errno())
                    : Syscalls.send(fd, target, length, flags, scratch.errno());
            if (!inPlace && receiving && n > 0) {
                if (memory == null) {
                    MemorySegment.copy(target, ValueLayout.JAVA_BYTE, 0, array, index, (int) n);
                } else {
                    MemorySegment.copy(target, 0, memory, 0, n);
                }
            }
            return n;
        } finally {
            if (!inPlace) {
                scratch.releaseBounce();
            }
        }
    }

    /**
     * Whether a blocking transfer of a heap buffer goes through the bounce buffer straight from its
     * array, without making a segment of the buffer: when it is small (see
     * {@link #transfer(boolean, int, MemorySegment, byte[], int, long, boolean, boolean, NativeScratch)}),
     * and when it is the rest of a buffer part-way through (a partial write), which would need a new
     * slice of the buffer's segment, an allocation, only to find the socket full again.
     */
    private static boolean copiesThroughBounce(Transfer.Buffer transfer, boolean block) {
        ByteBuffer buffer = transfer.buffer();
        return block && !buffer.isDirect() && buffer.hasArray()
                && (buffer.remaining() < IN_PLACE_MIN || !transfer.hasSlice());
    }

    private static int flags(boolean receiving, boolean block) {
        return (block ? 0 : DONTWAIT) | (receiving ? 0 : NOSIGNAL);
    }

    // -- arrays of buffers and ancillary data: sendmsg(2) and recvmsg(2)

    /**
     * Receives into {@code dsts[offset .. offset+length)} with one recvmsg, filling them in order. At
     * most IOV_MAX buffers with space left take part.
     */
    static long receive(int fd, ByteBuffer[] dsts, int offset, int length, boolean wholeMessage, boolean block,
                        NativeScratch scratch) {
        return message(true, fd, dsts, offset, length, MemorySegment.NULL, flags(true, block), wholeMessage,
                scratch, null);
    }

    /**
     * Sends {@code srcs[offset .. offset+length)} with one sendmsg, gathered in order. At most IOV_MAX
     * buffers with bytes left take part; with none, a message sends an empty one.
     */
    static long send(int fd, ByteBuffer[] srcs, int offset, int length, boolean wholeMessage, boolean block,
                     NativeScratch scratch) {
        return message(false, fd, srcs, offset, length, MemorySegment.NULL, flags(false, block), wholeMessage,
                scratch, null);
    }

    /**
     * Sends {@code src}'s remaining bytes with one sendmsg(2) carrying {@code control} (from
     * {@link ControlMessages#outgoing}, or {@link MemorySegment#NULL} for none) as ancillary data. The
     * kernel attaches the control data to the first byte that goes: a caller that sends the rest of a
     * partly written stream passes none.
     *
     * @return the number of bytes sent, or {@code -errno}
     */
    static long sendWithControl(int fd, ByteBuffer src, MemorySegment control, boolean wholeMessage,
                                       boolean block, NativeScratch scratch) {
        return message(false, fd, new ByteBuffer[] {src}, 0, 1, control, flags(false, block), wholeMessage, scratch,
                null);
    }

    /**
     * Receives into {@code dst}'s remaining bytes with one recvmsg(2), the ancillary data into
     * {@code control}. Received descriptors are close-on-exec ({@code MSG_CMSG_CLOEXEC}) where
     * {@link Features#receivesCloseOnExec} says so, and otherwise inheritable until
     * {@link ControlMessages#parse} makes them close-on-exec; with
     * {@code wholeMessage} the call passes {@code MSG_TRUNC}, so that it returns a message's real length
     * even when the message was longer than {@code dst} ({@code dst}'s position advances by what was
     * stored). {@code result[0]} receives {@code msg_controllen} and {@code result[1]} {@code msg_flags}.
     *
     * @return the number of bytes of the message, or {@code -errno}
     */
    static long receiveWithControl(int fd, ByteBuffer dst, MemorySegment control, boolean wholeMessage,
                                          boolean block, NativeScratch scratch, long[] result) {
        int flags = flags(true, block) | CMSG_CLOEXEC | (wholeMessage ? TRUNC : 0);
        return message(true, fd, new ByteBuffer[] {dst}, 0, 1, control, flags, wholeMessage, scratch, result);
    }

    /**
     * One sendmsg or recvmsg over the buffers of {@code buffers[offset .. offset+length)} that have bytes
     * (or space) left, at most IOV_MAX of them, with {@code control} as the ancillary data; then copies
     * received bytes out of the bounce buffer and advances every buffer by its share of the result.
     * {@code result}, if not null, receives {@code msg_controllen} and {@code msg_flags} (zeros until the
     * call succeeds), even if copying out then fails.
     *
     * <p>The iovec array is planned first: each buffer is either used in place ({@link #staysAlive}) or
     * copied, and on a stream the copied bytes end where the bounce buffer does. The memory of each
     * copied native buffer is checked as it is planned, so that a closed or foreign one throws before
     * anything moves. Then sends copy in, the call is made, and receives copy out.
     */
    private static long message(boolean receiving, int fd, ByteBuffer[] buffers, int offset, int length,
                                MemorySegment control, int flags, boolean wholeMessage, NativeScratch scratch,
                                long[] result) {
        MemorySegment iov = scratch.iovecs(Math.min(length, IOV_MAX));
        long room = NativeScratch.bounceLength(Long.MAX_VALUE, wholeMessage);
        long copied = 0;
        int entries = 0;
        if (result != null) {
            result[0] = 0;
            result[1] = 0;
        }
        try {
            for (int i = offset; i < offset + length && entries < IOV_MAX; i++) {
                ByteBuffer b = buffers[i];
                int remaining = b.remaining();
                if (remaining == 0) {
                    continue;
                }
                MemorySegment memory = MemorySegment.ofBuffer(b);
                long entry = entries * Structs.IOVEC.byteSize();
                if (staysAlive(memory)) {
                    Structs.IOV_BASE.setAddress(iov, entry, memory);
                    Structs.IOV_LEN.set(iov, entry, remaining);
                    scratch.part(entries++, b, null);
                    continue;
                }
                long share = Math.min(remaining, room - copied);
                if (share == 0) {
                    break;
                }
                if (memory.isNative()) {
                    // Any access checks the scope: IllegalStateException if closed, WrongThreadException
                    // if confined to another thread.
                    memory.get(ValueLayout.JAVA_BYTE, 0);
                }
                Structs.IOV_LEN.set(iov, entry, share);
                scratch.part(entries++, b, memory);
                copied += share;
                if (share < remaining) {
                    break;
                }
            }
            MemorySegment bounce = scratch.bounce(copied);
            long at = 0;
            for (int j = 0; j < entries; j++) {
                MemorySegment memory = scratch.partCopy(j);
                if (memory != null) {
                    long entry = j * Structs.IOVEC.byteSize();
                    long share = Structs.IOV_LEN.get(iov, entry);
                    if (!receiving) {
                        MemorySegment.copy(memory, 0, bounce, at, share);
                    }
                    Structs.IOV_BASE.setAddress(iov, entry, bounce.asSlice(at, share));
                    at += share;
                }
            }
            MemorySegment header = scratch.messageHeader();
            Structs.MSG_IOV.setAddress(header, 0, iov);
            Structs.MSG_IOVLEN.set(header, entries);
            Structs.MSG_CONTROL.setAddress(header, 0, control);
            Structs.MSG_CONTROLLEN.set(header, control.byteSize());
            long n = receiving
                    ? Syscalls.recvmsg(fd, header, flags, scratch.errno())
                    : Syscalls.sendmsg(fd, header, flags, scratch.errno());
            if (result != null) {
                result[0] = n >= 0 ? Structs.MSG_CONTROLLEN.get(header) : 0;
                result[1] = n >= 0 ? Structs.MSG_FLAGS.get(header) : 0;
            }
            long left = n;
            at = 0;
            for (int j = 0; j < entries && left > 0; j++) {
                long share = Structs.IOV_LEN.get(iov, j * Structs.IOVEC.byteSize());
                long moved = Math.min(left, share);
                MemorySegment memory = scratch.partCopy(j);
                if (memory != null) {
                    if (receiving) {
                        MemorySegment.copy(bounce, at, memory, 0, moved);
                    }
                    at += share;
                }
                scratch.advancePart(j, moved);
                left -= moved;
            }
            return n;
        } finally {
            scratch.releaseBounce();
            scratch.clearParts(entries);
        }
    }

    /**
     * Blocks in poll(2) until {@code fd} can be read or written (or has an error or hang-up, which the
     * next transfer reports), for at most {@code timeoutMillis} milliseconds (-1: without limit), as a
     * read with a timeout waits. Only needed when a blocking transfer returned EAGAIN because another
     * holder of the socket set {@code O_NONBLOCK} on it; a shutdown by close wakes it.
     *
     * @return the number of ready descriptors, 0 if the time ran out, or {@code -errno}
     */
    public static int await(int fd, boolean reading, int timeoutMillis, NativeScratch scratch) {
        MemorySegment socket = scratch.pollSet();
        Structs.POLL_FD.set(socket, fd);
        Structs.POLL_EVENTS.set(socket, reading ? POLLIN : POLLOUT);
        Structs.POLL_REVENTS.set(socket, 0);
        return Syscalls.poll(socket, 1, timeoutMillis, scratch.errno());
    }
}

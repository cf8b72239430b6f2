package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Features;
import dev.socketpair.internal.platform.Platform;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * Many messages on a DGRAM or SEQPACKET socket, one per buffer: with one sendmmsg(2) or recvmmsg(2) per
 * call where the system has them ({@link Features#batchesMessages()}), and otherwise with a loop of
 * sendmsg(2) or recvmsg(2) that does what those do: send until one fails, or receive, after the first
 * message, only what is queued.
 *
 * <p>Which memory the kernel uses in place and which is copied follows {@link SocketIo}'s rule for
 * iovec arrays: a direct buffer whose memory cannot be freed while it is reachable is used in place,
 * any other buffer is copied through the bounce buffer, each message whole. A batch larger than one call
 * can take goes in calls of at most {@link #MAX_PER_CALL} messages and, of the messages copied, at most
 * {@link NativeScratch#MAX_BOUNCE} bytes (or one message, if it alone is larger); only the first call of
 * a receive may wait, the others take what is queued.
 *
 * <p>Both return a count of messages, or {@code -errno} if nothing moved, and advance the position of
 * each buffer that sent its message to its limit, or by the bytes of the message it received.
 */
final class MessageBatches {

    private static final CLibrary C = Platform.current().library();

    /**
     * The most messages one call takes: Linux caps sendmmsg's and recvmmsg's count at {@code UIO_MAXIOV}
     * (1024), which no header gives user space but {@code IOV_MAX} equals.
     */
    static final int MAX_PER_CALL = C.constant("IOV_MAX");

    private static final int DONTWAIT = C.constant("MSG_DONTWAIT");
    private static final int NOSIGNAL = C.constant("MSG_NOSIGNAL");

    private MessageBatches() {
    }

    /** Asked only where the system has sendmmsg and recvmmsg. */
    private static final class Batched {
        static final int WAITFORONE = C.constant("MSG_WAITFORONE");
    }

    /**
     * Sends each of {@code buffers[offset .. offset+length)} as one message, in order, until all have gone
     * or one cannot: with {@code block} false, one that would have to wait.
     *
     * @return the number of messages sent, or {@code -errno} if the first could not be (an error after
     *         that ends the batch unreported: the next send meets it again)
     */
    static long send(int fd, ByteBuffer[] buffers, int offset, int length, boolean block, NativeScratch scratch) {
        BatchScratch batch = scratch.batch();
        int flags = NOSIGNAL | (block ? 0 : DONTWAIT);
        int sent = 0;
        while (sent < length) {
            long n;
            int count;
            try {
                count = plan(buffers, offset + sent, length - sent, batch);
                place(false, buffers, offset + sent, count, scratch.bounce(batch.copied()), batch);
                n = Features.batchesMessages()
                        ? Syscalls.sendmmsg(fd, batch.headers(), count, flags, scratch.errno())
                        : sendEach(fd, count, flags, batch, scratch);
            } finally {
                scratch.releaseBounce();
            }
            for (int i = 0; i < n; i++) {
                ByteBuffer b = buffers[offset + sent + i];
                b.position(b.limit());
            }
            if (n < 0) {
                return sent > 0 ? sent : n;
            }
            sent += (int) n;
            if (n < count) {
                break;
            }
        }
        return sent;
    }

    private static long sendEach(int fd, int count, int flags, BatchScratch batch, NativeScratch scratch) {
        for (int i = 0; i < count; i++) {
            long r = Syscalls.sendmsg(fd, batch.header(i), flags, scratch.errno());
            if (r < 0) {
                return i > 0 ? i : r;
            }
        }
        return count;
    }

    /**
     * Receives one message into each of the buffers of {@code messages} that have space left, from the
     * first up to the first that has none: with {@code block}, waiting for the first message, and then
     * taking only what is queued. Records in {@code messages} how many of the messages received at the
     * end are empty, and the errno of a failure that came after the first message, which the caller is
     * to report next time.
     *
     * @return the number of messages received (empty ones, and the empty ones end of stream gives,
     *         included), or {@code -errno} if none was
     */
    static long receive(int fd, Transfer.Messages messages, boolean block, NativeScratch scratch) {
        ByteBuffer[] buffers = messages.buffers();
        int offset = messages.offset();
        int length = 0;
        while (length < messages.length() && buffers[offset + length].hasRemaining()) {
            length++;
        }
        messages.emptyAtEnd = 0;
        messages.deferredErrno = 0;
        BatchScratch batch = scratch.batch();
        int flags = block ? (Features.batchesMessages() ? Batched.WAITFORONE : 0) : DONTWAIT;
        int received = 0;
        while (received < length) {
            int count;
            long n;
            try {
                int from = offset + received;
                count = plan(buffers, from, length - received, batch);
                MemorySegment bounce = scratch.bounce(batch.copied());
                place(true, buffers, from, count, bounce, batch);
                if (Features.batchesMessages()) {
                    n = Syscalls.recvmmsg(fd, batch.headers(), count, flags, scratch.errno());
                    batch.takeReceivedLengths((int) n);
                } else {
                    n = receiveEach(fd, count, flags, batch, scratch, messages);
                }
                for (int i = 0; i < n; i++) {
                    store(buffers, from, i, bounce, batch);
                }
            } finally {
                scratch.releaseBounce();
            }
            if (n < 0) {
                if (received > 0 && n != -Errno.EAGAIN && n != -Errno.EINTR) {
                    messages.deferredErrno = (int) -n;
                }
                return received > 0 ? received : n;
            }
            for (int i = 0; i < n; i++) {
                messages.emptyAtEnd = batch.received(i) == 0 ? messages.emptyAtEnd + 1 : 0;
            }
            received += (int) n;
            // A full call that ended with an empty message may have met end of stream: the next would
            // find nothing else.
            if (n < count || messages.emptyAtEnd > 0) {
                break;
            }
            flags = DONTWAIT;
        }
        return received;
    }

    /**
     * recvmsg into each header in turn, as recvmmsg does: the first as {@code flags} say, the others
     * without waiting, until one fails. A failure after the first message is recorded in {@code messages}.
     */
    private static long receiveEach(int fd, int count, int flags, BatchScratch batch, NativeScratch scratch,
                                    Transfer.Messages messages) {
        for (int i = 0; i < count; i++) {
            long r = Syscalls.recvmsg(fd, batch.header(i), i == 0 ? flags : flags | DONTWAIT, scratch.errno());
            if (r < 0) {
                if (i > 0 && r != -Errno.EAGAIN && r != -Errno.EINTR) {
                    messages.deferredErrno = (int) -r;
                }
                return i > 0 ? i : r;
            }
            batch.received(i, r);
        }
        return count;
    }

    /**
     * Copies the bytes message {@code index} received out of the bounce buffer, if they went there, and
     * advances its buffer, {@code buffers[from + index]}, past them.
     */
    private static void store(ByteBuffer[] buffers, int from, int index, MemorySegment bounce, BatchScratch batch) {
        ByteBuffer b = buffers[from + index];
        int start = batch.start(index);
        int length = (int) batch.received(index);
        long at = batch.copiedAt(index);
        if (at >= 0 && length > 0) {
            if (b.hasArray()) {
                MemorySegment.copy(bounce, ValueLayout.JAVA_BYTE, at, b.array(), b.arrayOffset() + start, length);
            } else {
                MemorySegment.copy(bounce, at, batch.whole(from + index, b), start, length);
            }
        }
        b.position(start + length);
    }

    /**
     * Plans the messages of {@code buffers[from .. from+available)} that one call moves: at most
     * {@link #MAX_PER_CALL}, and of those copied at most {@link NativeScratch#MAX_BOUNCE} bytes, unless
     * the first alone is larger. A buffer whose memory stays alive is described in place; the others get
     * room in the bounce buffer ({@link BatchScratch#copied()} is how much). The memory of a native
     * buffer that is copied is checked as it is planned, so that a closed or foreign one throws before
     * anything moves.
     *
     * @return how many messages the call moves
     */
    private static int plan(ByteBuffer[] buffers, int from, int available, BatchScratch batch) {
        int count = Math.min(available, MAX_PER_CALL);
        batch.begin(count);
        int planned = 0;
        for (; planned < count; planned++) {
            ByteBuffer b = buffers[from + planned];
            int start = b.position();
            int size = b.remaining();
            if (!b.hasArray()) {
                MemorySegment whole = batch.whole(from + planned, b);
                if (SocketIo.staysAlive(whole)) {
                    batch.inPlace(planned, whole.address() + start, size, start);
                    continue;
                }
                if (whole.isNative() && size > 0) {
                    // Any access checks the scope: IllegalStateException if closed, WrongThreadException
                    // if confined to another thread.
                    whole.get(ValueLayout.JAVA_BYTE, start);
                }
            }
            if (batch.copied() > 0 && batch.copied() + size > NativeScratch.MAX_BOUNCE) {
                break;
            }
            batch.copied(planned, size, start);
        }
        return planned;
    }

    /** Points the copied messages of a planned call into {@code bounce}, and copies outgoing bytes there. */
    private static void place(boolean receiving, ByteBuffer[] buffers, int from, int count, MemorySegment bounce,
                              BatchScratch batch) {
        for (int i = 0; i < count; i++) {
            long at = batch.copiedAt(i);
            if (at < 0) {
                continue;
            }
            batch.relocate(i, bounce.address() + at);
            if (!receiving) {
                ByteBuffer b = buffers[from + i];
                int size = (int) batch.length(i);
                if (b.hasArray()) {
                    MemorySegment.copy(b.array(), b.arrayOffset() + batch.start(i), bounce, ValueLayout.JAVA_BYTE, at,
                            size);
                } else {
                    MemorySegment.copy(batch.whole(from + i, b), batch.start(i), bounce, at, size);
                }
            }
        }
    }
}

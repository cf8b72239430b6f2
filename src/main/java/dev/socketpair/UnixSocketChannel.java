package dev.socketpair;

import dev.socketpair.internal.Errno;
import dev.socketpair.internal.NativeScratch;
import dev.socketpair.internal.SocketConstants;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.SocketControl.IntOption;
import dev.socketpair.internal.SocketDescriptor;
import dev.socketpair.internal.SocketIo;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntToLongFunction;

/**
 * One end of a UNIX-domain socket pair, or any adopted AF_UNIX socket: a {@link SocketChannel} that is
 * connected from birth until it is closed.
 *
 * <p>One class serves every {@link SocketType}. On {@link SocketType#STREAM} it behaves as a JDK socket
 * channel. On {@link SocketType#DGRAM} and {@link SocketType#SEQPACKET} one write sends one message
 * (all of the buffer, or an exception) and one read receives one message; the part of a message that
 * does not fit the reader's buffer is discarded, as in C.
 *
 * <h2>Blocking</h2>
 * In blocking mode (the default unless the pair was opened with {@link SocketFlag#NONBLOCK}) a read
 * waits until at least one byte or one message arrives, and a write on a stream waits until every byte
 * is written. In non-blocking mode a read returns 0 and a write returns 0 when the socket is not ready.
 * The kernel's {@code O_NONBLOCK} flag always matches {@link #isBlocking()}. A platform thread waits
 * inside recv(2) or send(2) as C code does (a close wakes it by shutting the socket down first); a
 * virtual thread never blocks in the kernel, which would pin its carrier, but parks until the socket is
 * ready.
 *
 * <h2>End of stream</h2>
 * A read returns -1 once the peer has closed or shut down its output (STREAM, SEQPACKET) or this
 * channel's input was shut down (every type). A DGRAM pair has no end of stream: after the peer closed,
 * reads wait for ever and writes fail with {@code ECONNREFUSED}. A read of 0 bytes from a DGRAM channel
 * is an empty datagram.
 *
 * <h2>Threads</h2>
 * The channel is safe for use by multiple threads. One read and one write may proceed at the same time;
 * a second reader (or writer) waits for the first. A thread blocked in a read or write when another
 * thread closes the channel gets {@link java.nio.channels.AsynchronousCloseException}; a thread
 * interrupted while blocked closes the channel and gets
 * {@link java.nio.channels.ClosedByInterruptException} with its interrupt status set. Non-blocking
 * operations ignore interrupts.
 *
 * <h2>Errors</h2>
 * Every operation on a closed channel throws {@link ClosedChannelException}. A failed system call
 * throws {@link ErrnoException}, a {@link java.net.SocketException}, naming the call and the errno:
 * writing after the peer has gone throws it with {@code EPIPE} and never raises SIGPIPE.
 *
 * <h2>Selectors</h2>
 * In non-blocking mode the channel can be registered with a selector of its own provider, from
 * {@link #openSelector()}, for {@link SelectionKey#OP_READ} and {@link SelectionKey#OP_WRITE}. It cannot
 * share a selector with the JDK's channels: each kind of selector rejects the other kind of channel
 * with {@link java.nio.channels.IllegalSelectorException}. Closing a registered channel cancels its
 * keys.
 *
 * <h2>Not supported</h2>
 * The channel cannot be bound or connected elsewhere; {@link #socket()} has no {@link Socket} to
 * return.
 *
 * @see SocketPair
 * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
 */
public final class UnixSocketChannel extends SocketChannel {

    /** {@link #sendWithoutWaiting} could not hold the descriptor: the channel is closing. */
    private static final long NOT_HELD = Long.MIN_VALUE;

    /** Writes up to this size try {@link #sendWithoutWaiting} first. */
    private static final int SMALL_WRITE = 4096;

    private static final Set<SocketOption<?>> OPTIONS =
            Set.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF);

    private final SocketDescriptor descriptor;
    private final int fd;
    private final SocketType type;
    private final boolean messageBased;

    // Serialises reads; also guards readScratch.
    private final ReentrantLock readLock = new ReentrantLock();
    private final NativeScratch readScratch;

    // Serialises writes; also guards writeScratch.
    private final ReentrantLock writeLock = new ReentrantLock();
    private final NativeScratch writeScratch;

    // Serialises shutdownInput/shutdownOutput; the flags are read without it.
    private final Object stateLock = new Object();
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    // True only while the constructor aligns the blocking mode with flags the kernel already has.
    private boolean constructing;

    // Registrations with UnixSelectors that may have this descriptor in their epoll sets; closing takes
    // it out of each before close(2) (see UnixSelector).
    final List<UnixSelectionKey> selectorKeys = new CopyOnWriteArrayList<>();

    /**
     * Takes ownership of {@code fd}, whose type and {@code O_NONBLOCK} flag the caller has established.
     * Makes no system call, so it cannot fail and leave the descriptor without an owner.
     */
    UnixSocketChannel(int fd, SocketType type, boolean nonBlocking) {
        super(UnixSelectorProvider.INSTANCE);
        this.descriptor = new SocketDescriptor(fd);
        this.fd = fd;
        this.type = type;
        this.messageBased = type.isMessageBased();
        this.readScratch = new NativeScratch(descriptor.arena());
        this.writeScratch = new NativeScratch(descriptor.arena());
        if (nonBlocking) {
            constructing = true;
            try {
                configureBlocking(false);
            } catch (IOException e) {
                throw new AssertionError("a new channel is open and unregistered", e);
            } finally {
                constructing = false;
            }
        }
    }

    /**
     * Takes ownership of an open AF_UNIX socket descriptor, such as one inherited from a parent process
     * or received from a peer, and returns a channel over it.
     *
     * <p>The socket's type is read with {@code getsockopt(SO_TYPE)} and the channel's blocking mode from
     * the descriptor's {@code O_NONBLOCK} flag. From the moment this method returns, the channel owns the
     * descriptor: closing the channel closes it, and nothing else may close it. If this method throws,
     * the descriptor is untouched and still the caller's.
     *
     * @param fd an open socket descriptor
     * @return a channel that owns {@code fd}
     * @throws IllegalArgumentException if {@code fd} is negative, or is a socket of another domain
     * @throws ErrnoException           if {@code fd} is not open ({@code EBADF}) or not a socket
     *                                  ({@code ENOTSOCK})
     * @throws IOException              if some other I/O error occurs
     */
    public static UnixSocketChannel adopt(int fd) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("negative descriptor: " + fd);
        }
        long domain = SocketControl.intOption(fd, IntOption.DOMAIN);
        if (domain < 0) {
            throw Errors.exception("getsockopt", (int) -domain);
        }
        if (domain != SocketConstants.AF_UNIX) {
            throw new IllegalArgumentException("descriptor " + fd + " is not an AF_UNIX socket (domain " + domain + ")");
        }
        SocketType type = socketType(fd);
        int nonBlocking = SocketControl.isNonBlocking(fd);
        if (nonBlocking < 0) {
            throw Errors.exception("fcntl", -nonBlocking);
        }
        return new UnixSocketChannel(fd, type, nonBlocking == 1);
    }

    /** Reads a socket's type with {@code getsockopt(SO_TYPE)}. */
    static SocketType socketType(int fd) throws IOException {
        long value = SocketControl.intOption(fd, IntOption.TYPE);
        if (value < 0) {
            throw Errors.exception("getsockopt", (int) -value);
        }
        SocketType type = SocketType.of((int) value);
        if (type == null) {
            throw new IllegalArgumentException("descriptor " + fd + " has socket type " + value
                    + ", which is none of STREAM, DGRAM, SEQPACKET");
        }
        return type;
    }

    /** {@return this channel's socket type} */
    public SocketType type() {
        return type;
    }

    /**
     * Returns the descriptor number. It names this channel's socket only while the channel is open:
     * after {@link #close()} the process may reuse the number for another file. Use it to hand the
     * socket to native code; do not close it.
     *
     * @return the descriptor number
     */
    public int fd() {
        return fd;
    }

    /** The descriptor's owner, which a selector holds while it calls epoll_ctl(2) on the number. */
    SocketDescriptor descriptor() {
        return descriptor;
    }

    /**
     * Opens a {@link Selector} for {@code UnixSocketChannel}s: the same as
     * {@code channel.provider().openSelector()}, without a channel at hand or a cast.
     *
     * <p>The selector works on epoll(7) and has the JDK's selection semantics. It accepts only channels
     * of this class: registering a JDK channel with it throws
     * {@link java.nio.channels.IllegalSelectorException}, and so does registering one of these channels
     * with a JDK selector. A program that needs both kinds uses one selector for each, each selecting
     * in its own thread, or virtual threads with blocking channels (see the package description).
     * {@link SelectionKey#OP_READ} and {@link SelectionKey#OP_WRITE} become ready;
     * {@link SelectionKey#OP_CONNECT} is accepted, as for any {@link SocketChannel}, and never becomes
     * ready, since a pair end is connected from birth.
     *
     * <p>A platform thread waits in a selection operation inside epoll_wait(2); a virtual thread parks
     * until the epoll set has events and does not hold its carrier (on JDK 24 and later: a selection
     * operation synchronizes on the selector, as {@link Selector} specifies, and before JDK 24 a virtual
     * thread that parks inside {@code synchronized} keeps its carrier). {@link Selector#wakeup()},
     * {@link Selector#close()} and {@link Thread#interrupt()} release either kind. The selector is safe
     * for use by multiple threads, as {@link Selector} specifies; it holds three descriptors (the epoll
     * set and a socket pair for wake-ups) until it is closed.
     *
     * @return a new selector
     * @throws ErrnoException if epoll_create1(2) or socketpair(2) fails, such as {@code EMFILE} when the
     *                        process has no descriptors left
     * @throws IOException    if some other I/O error occurs
     * @see <a href="https://man7.org/linux/man-pages/man7/epoll.7.html">epoll(7)</a>
     */
    public static Selector openSelector() throws IOException {
        return UnixSelectorProvider.INSTANCE.openSelector();
    }

    // -- reading

    /**
     * Reads bytes (STREAM) or one message (DGRAM, SEQPACKET) into {@code dst}.
     *
     * <p>In blocking mode this waits until something can be read; it returns after a partial transfer.
     * A buffer with nothing remaining returns 0 at once.
     *
     * @return the number of bytes read, 0 if the channel is non-blocking and nothing was ready, or -1 at
     *         end of stream
     * @throws IllegalArgumentException if {@code dst} is read-only
     * @throws ClosedChannelException   if this channel is closed
     * @throws java.nio.channels.AsynchronousCloseException if another thread closes this channel while
     *         the read is in progress
     * @throws java.nio.channels.ClosedByInterruptException if another thread interrupts the current
     *         thread while the read is in progress; the channel is then closed and the interrupt status set
     * @throws ErrnoException           if recv(2) fails, such as {@code ECONNRESET} when the peer closed
     *                                  with data still unread
     * @throws IOException              if some other I/O error occurs
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return (int) read(dst, 0, 0, dst.hasRemaining());
    }

    /**
     * Reads into a sequence of buffers with one recvmsg(2), filling them in order (a scattering read
     * as readv(2) does). On DGRAM and SEQPACKET one message is read across the buffers. At most IOV_MAX
     * buffers take part in one call. Blocking, end of stream, threads and exceptions are as for
     * {@link #read(ByteBuffer)}.
     *
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not fit {@code dsts}
     * @throws IllegalArgumentException  if any of the buffers is read-only
     */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return read(dsts, offset, length, checkBuffers(dsts, offset, length, true));
    }

    /**
     * Reads bytes (STREAM) or one message (DGRAM, SEQPACKET) into a memory segment, from its start.
     * Native segments are read into in place. Blocking, end of stream, threads and exceptions are as for
     * {@link #read(ByteBuffer)}.
     *
     * @param dst the segment to fill
     * @return the number of bytes read, 0 if non-blocking and nothing was ready, or -1 at end of stream
     * @throws IllegalArgumentException if {@code dst} is read-only
     * @throws IOException              as for {@link #read(ByteBuffer)}
     */
    public long read(MemorySegment dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only segment");
        }
        return read(dst, 0, 0, dst.byteSize() > 0);
    }

    /**
     * The read protocol common to every destination kind: lock, begin, attempt, wait and attempt again
     * while blocking, end, translate.
     */
    private long read(Object dst, int offset, int length, boolean hasSpace) throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            if (!hasSpace) {
                return 0;
            }
            boolean blocking = isBlocking();
            boolean blockInKernel = blocksInKernel(blocking);
            long n = -Errno.EAGAIN;
            boolean acquired = false;
            try {
                acquired = beginIo(blocking, blockInKernel);
                if (inputShutdown) {
                    return -1;
                }
                for (;;) {
                    n = receive(dst, offset, length, blockInKernel);
                    if (n <= 0 && !descriptor.isOpen()) {
                        break;
                    }
                    if (n == -Errno.EINTR) {
                        continue;
                    }
                    if (n != -Errno.EAGAIN || !blocking || !await(true, readScratch) || inputShutdown) {
                        break;
                    }
                }
            } finally {
                // End of stream seen while closing is the shutdown that woke this thread: not completed.
                endIo(blocking, acquired, blockInKernel, n > 0 || (n == 0 && descriptor.isOpen()));
            }
            if (n > 0) {
                return n;
            }
            if (inputShutdown || (n == 0 && type != SocketType.DGRAM)) {
                return -1;
            }
            if (n == 0 || n == -Errno.EAGAIN) {
                return 0;
            }
            throw Errors.onOwnDescriptor(dst instanceof ByteBuffer[] ? "recvmsg" : "recv", (int) -n);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Starts a read or write: registers a blocking one for interrupt (which closes the channel), then
     * holds the descriptor open, telling it whether this operation may block in the kernel. Always
     * paired with {@link #endIo} in a finally block.
     *
     * @return true, once the descriptor is held
     * @throws ClosedChannelException if the channel was closed since the caller checked
     */
    private boolean beginIo(boolean blocking, boolean blockInKernel) throws ClosedChannelException {
        if (blocking) {
            begin();
        }
        if (!(blockInKernel ? descriptor.acquireBlocking() : descriptor.acquire())) {
            throw new ClosedChannelException();
        }
        return true;
    }

    /**
     * Ends a read or write: lets go of the descriptor first, so that a close waiting for it can finish,
     * then throws {@link java.nio.channels.AsynchronousCloseException} or
     * {@link java.nio.channels.ClosedByInterruptException} if the channel was closed under an
     * operation that did not complete.
     */
    private void endIo(boolean blocking, boolean acquired, boolean blockInKernel, boolean completed)
            throws IOException {
        if (acquired) {
            if (blockInKernel) {
                descriptor.releaseBlocking();
            } else {
                descriptor.release();
            }
        }
        if (blocking) {
            end(completed);
        }
    }

    /**
     * Whether a blocking operation of the current thread waits inside the transfer's system call, as C
     * code does: a platform thread in blocking mode. A virtual thread never does, since a blocking
     * downcall would pin its carrier; it transfers without waiting and parks between attempts.
     */
    private static boolean blocksInKernel(boolean blocking) {
        return blocking && !Thread.currentThread().isVirtual();
    }

    private long receive(Object dst, int offset, int length, boolean block) {
        return switch (dst) {
            case ByteBuffer b -> SocketIo.receive(fd, b, messageBased, block, readScratch);
            case MemorySegment s -> SocketIo.receive(fd, s, messageBased, block, readScratch);
            case ByteBuffer[] bs -> SocketIo.receive(fd, bs, offset, length, messageBased, block, readScratch);
            default -> throw new AssertionError(dst);
        };
    }

    // -- writing

    /**
     * Writes {@code src}'s remaining bytes (STREAM) or sends them as one message (DGRAM, SEQPACKET).
     *
     * <p>In blocking mode a STREAM write returns only after every byte is written. In non-blocking mode
     * it writes what fits and returns that count, possibly 0. A message is sent whole or not at all; a
     * message larger than the socket can carry fails with {@code EMSGSIZE}. An empty buffer sends
     * nothing on STREAM and SEQPACKET (an empty SEQPACKET record would read as end of stream) and an
     * empty datagram on DGRAM.
     *
     * @return the number of bytes written
     * @throws ClosedChannelException   if this channel is closed, or its output has been shut down
     * @throws java.nio.channels.AsynchronousCloseException if another thread closes this channel while
     *         the write is in progress, even after part of the buffer was written: its position says how
     *         much
     * @throws java.nio.channels.ClosedByInterruptException if another thread interrupts the current
     *         thread while the write is in progress; the channel is then closed and the interrupt status set
     * @throws ErrnoException           if send(2) fails, such as {@code EPIPE} when the peer has gone
     * @throws IOException              if some other I/O error occurs
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        return (int) write(src, 0, 0, src.hasRemaining());
    }

    /**
     * Writes a sequence of buffers with one sendmsg(2), in order (a gathering write as writev(2) does).
     * On DGRAM and SEQPACKET the buffers form one message. At most IOV_MAX buffers take part in one call.
     * Blocking, threads and exceptions are as for {@link #write(ByteBuffer)}.
     *
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not fit {@code srcs}
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return write(srcs, offset, length, checkBuffers(srcs, offset, length, false));
    }

    /**
     * Validates a slice of a buffer array before any system call.
     *
     * @return whether any buffer in the slice has bytes (or space) remaining
     */
    private static boolean checkBuffers(ByteBuffer[] buffers, int offset, int length, boolean destinations) {
        Objects.checkFromIndexSize(offset, length, buffers.length);
        boolean any = false;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = Objects.requireNonNull(buffers[i], "buffers[" + i + "]");
            if (destinations && b.isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
            any |= b.hasRemaining();
        }
        return any;
    }

    /**
     * Writes the bytes of a memory segment (STREAM) or sends them as one message (DGRAM, SEQPACKET).
     * Native segments are written from in place. Blocking, threads and exceptions are as for
     * {@link #write(ByteBuffer)}.
     *
     * @param src the bytes to write
     * @return the number of bytes written
     * @throws IOException as for {@link #write(ByteBuffer)}
     */
    public long write(MemorySegment src) throws IOException {
        Objects.requireNonNull(src, "src");
        return write(src, 0, 0, src.byteSize() > 0);
    }

    /**
     * The write protocol common to every source kind. A blocking STREAM write repeats until the source
     * is drained; a message goes in one attempt.
     */
    private long write(Object src, int offset, int length, boolean hasData) throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            if (outputShutdown) {
                throw new ClosedChannelException();
            }
            if (!hasData && type != SocketType.DGRAM) {
                return 0;
            }
            boolean blocking = isBlocking();
            long written = 0;
            if (blocking && isSmall(src) && !Thread.currentThread().isInterrupted()) {
                long first = sendWithoutWaiting(src, offset, length);
                if (first >= 0 && (messageBased || !hasRemaining(src, offset, length, first))) {
                    return first;
                }
                if (first < 0 && first != -Errno.EAGAIN && first != -Errno.EINTR && first != NOT_HELD) {
                    // Reported now: a failed send can change the socket (a datagram socket whose peer
                    // has gone disconnects), so trying again would report something else.
                    throw Errors.onOwnDescriptor("send", (int) -first);
                }
                written = Math.max(first, 0);
            }
            boolean blockInKernel = blocksInKernel(blocking);
            long n = -Errno.EAGAIN;
            boolean acquired = false;
            boolean done = false;
            try {
                acquired = beginIo(blocking, blockInKernel);
                for (;;) {
                    n = send(src, offset, length, written, blockInKernel);
                    if (n >= 0) {
                        written += n;
                        done = !blocking || messageBased || !hasRemaining(src, offset, length, written);
                    }
                    if (done || !descriptor.isOpen()) {
                        break;
                    }
                    if (n < 0 && n != -Errno.EINTR && (n != -Errno.EAGAIN || !blocking || !await(false, writeScratch))) {
                        break;
                    }
                }
            } finally {
                // Closed part-way through a blocking write: the exception, not a short count, says so;
                // the buffer's position tells how much went out.
                endIo(blocking, acquired, blockInKernel, done || (descriptor.isOpen() && (written > 0 || n >= 0)));
            }
            if (written > 0 || n >= 0 || n == -Errno.EAGAIN) {
                return written;
            }
            throw Errors.onOwnDescriptor(src instanceof ByteBuffer[] ? "sendmsg" : "send", (int) -n);
        } finally {
            writeLock.unlock();
        }
    }

    private long send(Object src, int offset, int length, long written, boolean block) {
        return switch (src) {
            case ByteBuffer b -> SocketIo.send(fd, b, messageBased, block, writeScratch);
            case MemorySegment s -> SocketIo.send(fd, written == 0 ? s : s.asSlice(written), messageBased, block,
                    writeScratch);
            case ByteBuffer[] bs -> SocketIo.send(fd, bs, offset, length, messageBased, block, writeScratch);
            default -> throw new AssertionError(src);
        };
    }

    /**
     * A blocking write that fits at once needs no interrupt registration, no wait and no blocking call:
     * this tries it without waiting and reports what went out. The full protocol follows if it did not
     * all go; a thread already interrupted never comes here, so interrupt semantics are those of a
     * write that does not block. Only for small writes, where that protocol's cost shows; a large one
     * that would not fit would pay a second system call.
     *
     * @return the bytes written, {@code -errno}, or {@link #NOT_HELD} if the channel is closing
     */
    private long sendWithoutWaiting(Object src, int offset, int length) {
        if (!descriptor.acquire()) {
            return NOT_HELD;
        }
        try {
            return send(src, offset, length, 0, false);
        } finally {
            descriptor.release();
        }
    }

    /** Whether a write is small enough for {@link #sendWithoutWaiting}. */
    private static boolean isSmall(Object src) {
        return switch (src) {
            case ByteBuffer b -> b.remaining() <= SMALL_WRITE;
            case MemorySegment s -> s.byteSize() <= SMALL_WRITE;
            default -> false;
        };
    }

    private static boolean hasRemaining(Object src, int offset, int length, long written) {
        return switch (src) {
            case ByteBuffer b -> b.hasRemaining();
            case MemorySegment s -> written < s.byteSize();
            case ByteBuffer[] bs -> {
                for (int i = offset; i < offset + length; i++) {
                    if (bs[i].hasRemaining()) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> throw new AssertionError(src);
        };
    }

    /**
     * Waits until the socket is ready for reading (or writing) or the channel is closing: a virtual
     * thread parks, leaving its carrier free; a platform thread waits in poll(2), which a close wakes
     * by shutting the socket down. (A platform thread in blocking mode normally waits inside recv or
     * send; it gets here only if another holder of the socket set {@code O_NONBLOCK} on it.)
     *
     * @return true to attempt the transfer again, false if the channel is closing
     */
    private boolean await(boolean reading, NativeScratch scratch) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            int r = descriptor.parkUntilReady(reading, scratch);
            if (r < 0 && r != SocketDescriptor.CLOSED) {
                throw Errors.onOwnDescriptor("epoll_ctl", -r);
            }
            return r == 0;
        }
        int r = SocketIo.await(fd, reading, scratch);
        if (r < 0 && r != -Errno.EINTR) {
            throw Errors.onOwnDescriptor("poll", -r);
        }
        return descriptor.isOpen();
    }

    // -- state

    /**
     * Returns whether the descriptor is closed in a process started by exec ({@code FD_CLOEXEC}), as
     * the kernel reports it now. Safe to call from any thread.
     *
     * @return true if a process started by exec does not inherit this descriptor
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if fcntl(2) fails
     */
    public boolean isCloseOnExec() throws IOException {
        return control("fcntl", SocketControl::isCloseOnExec) == 1;
    }

    /**
     * Sets or clears {@code FD_CLOEXEC}: whether a process started by exec loses this descriptor
     * ({@code true}) or inherits it ({@code false}). Safe to call from any thread.
     *
     * @param closeOnExec true to close the descriptor on exec
     * @return this channel
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if fcntl(2) fails
     */
    public UnixSocketChannel setCloseOnExec(boolean closeOnExec) throws IOException {
        control("fcntl", fd -> SocketControl.setCloseOnExec(fd, closeOnExec));
        return this;
    }

    /**
     * Sets the kernel's {@code O_NONBLOCK} flag to match; called by {@link #configureBlocking} with both
     * locks held, so it waits for a read or write in progress to finish.
     */
    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        if (constructing) {
            return;
        }
        readLock.lock();
        try {
            writeLock.lock();
            try {
                control("fcntl", fd -> SocketControl.setNonBlocking(fd, !block));
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Shuts down reading without closing the channel. Later reads return -1, and so does a read blocked
     * in another thread; the peer's writes fail with {@code EPIPE} (STREAM, SEQPACKET). Shutting down
     * input that is already shut down has no effect.
     *
     * @return this channel
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if shutdown(2) fails
     */
    @Override
    public UnixSocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            if (!inputShutdown) {
                // Set first: a reader the shutdown wakes must find it set, or a DGRAM reader would take
                // the wake-up for an empty datagram.
                inputShutdown = true;
                try {
                    control("shutdown", SocketControl::shutdownInput);
                } catch (IOException | RuntimeException e) {
                    inputShutdown = false;
                    throw e;
                }
            } else {
                ensureOpen();
            }
        }
        return this;
    }

    /**
     * Shuts down writing without closing the channel: the peer reads -1 once it has read what was sent.
     * Later writes throw {@link ClosedChannelException}. Shutting down output that is already shut down
     * has no effect.
     *
     * @return this channel
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if shutdown(2) fails
     */
    @Override
    public UnixSocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            if (!outputShutdown) {
                control("shutdown", SocketControl::shutdownOutput);
                outputShutdown = true;
            } else {
                ensureOpen();
            }
        }
        return this;
    }

    /**
     * Makes one control call with the descriptor held open, so that a concurrent close cannot release
     * the number under it.
     *
     * @return the call's non-negative result
     */
    private long control(String syscall, IntToLongFunction call) throws IOException {
        if (!descriptor.acquire()) {
            throw new ClosedChannelException();
        }
        long result;
        try {
            result = call.applyAsLong(fd);
        } finally {
            descriptor.release();
        }
        if (result < 0) {
            throw Errors.onOwnDescriptor(syscall, (int) -result);
        }
        return result;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Closes the descriptor once every operation in flight has left; threads waiting in a read or write
     * are woken first, and selectors take the descriptor out of their epoll sets just before it closes.
     * Called once, by {@link #close()}, which then cancels the channel's keys.
     */
    @Override
    protected void implCloseSelectableChannel() throws IOException {
        // Always with the hook: a registration racing with this close may add a key after any check here.
        int r = descriptor.close(() -> UnixSelector.channelClosing(selectorKeys));
        if (r < 0) {
            throw Errors.onOwnDescriptor("close", -r);
        }
    }

    // -- SocketChannel's connection and option methods

    /**
     * Always throws: a socket pair end is connected from birth and its name cannot be changed.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public SocketChannel bind(SocketAddress local) {
        throw new UnsupportedOperationException("a socket pair end cannot be bound");
    }

    /**
     * Always throws: the channel is connected to its peer for its whole life.
     *
     * @throws ClosedChannelException    if this channel is closed
     * @throws AlreadyConnectedException otherwise
     */
    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        ensureOpen();
        throw new AlreadyConnectedException();
    }

    /**
     * Returns true: there is never a connection in progress.
     *
     * @throws ClosedChannelException if this channel is closed
     */
    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        return true;
    }

    /** {@return true while the channel is open: a pair end is connected from birth} */
    @Override
    public boolean isConnected() {
        return isOpen();
    }

    /** {@return false: a pair end never has a connection in progress} */
    @Override
    public boolean isConnectionPending() {
        return false;
    }

    /**
     * Always throws: there is no {@link Socket} view of a UNIX-domain socket pair end.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Socket socket() {
        throw new UnsupportedOperationException("no java.net.Socket view of a UNIX socket pair end");
    }

    /**
     * Returns this socket's name: an empty path for an unnamed socket, as every socketpair end is.
     *
     * @return the local address, a {@link UnixDomainSocketAddress}
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if getsockname(2) fails
     */
    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return address(false);
    }

    /**
     * Returns the peer's name: an empty path for an unnamed socket, as every socketpair end is.
     *
     * @return the remote address, a {@link UnixDomainSocketAddress}
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if getpeername(2) fails
     */
    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        return address(true);
    }

    private SocketAddress address(boolean peer) throws IOException {
        if (!descriptor.acquire()) {
            throw new ClosedChannelException();
        }
        SocketControl.SocketName name;
        try {
            name = SocketControl.name(fd, peer);
        } finally {
            descriptor.release();
        }
        if (name.errno() != 0) {
            throw Errors.onOwnDescriptor(peer ? "getpeername" : "getsockname", name.errno());
        }
        return UnixDomainSocketAddress.of(name.path());
    }

    /**
     * Sets {@link StandardSocketOptions#SO_SNDBUF} or {@link StandardSocketOptions#SO_RCVBUF}. The kernel
     * may adjust the size (Linux doubles it); read it back with {@link #getOption}.
     *
     * @throws UnsupportedOperationException if the option is not one of {@link #supportedOptions()}
     * @throws IllegalArgumentException      if the value is null or negative
     * @throws ClosedChannelException        if this channel is closed
     * @throws IOException                   if setsockopt(2) fails
     */
    @Override
    public <T> UnixSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        IntOption option = intOption(name);
        if (!(value instanceof Integer size) || size < 0) {
            throw new IllegalArgumentException("invalid value for " + name + ": " + value);
        }
        control("setsockopt", fd -> SocketControl.setIntOption(fd, option, size));
        return this;
    }

    /**
     * Reads {@link StandardSocketOptions#SO_SNDBUF} or {@link StandardSocketOptions#SO_RCVBUF}.
     *
     * @throws UnsupportedOperationException if the option is not one of {@link #supportedOptions()}
     * @throws ClosedChannelException        if this channel is closed
     * @throws IOException                   if getsockopt(2) fails
     */
    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        IntOption option = intOption(name);
        long value = control("getsockopt", fd -> SocketControl.intOption(fd, option));
        return name.type().cast((int) value);
    }

    private static IntOption intOption(SocketOption<?> name) {
        Objects.requireNonNull(name, "name");
        if (name == StandardSocketOptions.SO_SNDBUF) {
            return IntOption.SEND_BUFFER;
        }
        if (name == StandardSocketOptions.SO_RCVBUF) {
            return IntOption.RECEIVE_BUFFER;
        }
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    /** {@return the options {@link #getOption} and {@link #setOption} accept} */
    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("UnixSocketChannel[");
        if (!isOpen()) {
            s.append("closed");
        } else {
            s.append("fd=").append(fd).append(' ').append(type);
            if (!isBlocking()) {
                s.append(" non-blocking");
            }
            if (inputShutdown) {
                s.append(" ishut");
            }
            if (outputShutdown) {
                s.append(" oshut");
            }
        }
        return s.append(']').toString();
    }
}

package dev.socketpair;

import dev.socketpair.internal.ControlMessages;
import dev.socketpair.internal.Errno;
import dev.socketpair.internal.FileDescriptorNumbers;
import dev.socketpair.internal.NativeScratch;
import dev.socketpair.internal.OwnedDescriptors;
import dev.socketpair.internal.Poller;
import dev.socketpair.internal.SocketConstants;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.SocketControl.IntOption;
import dev.socketpair.internal.SocketDescriptor;
import dev.socketpair.internal.SocketIo;
import dev.socketpair.internal.Transfer;
import dev.socketpair.internal.YieldBeforePark;
import dev.socketpair.internal.platform.Features;
import dev.socketpair.internal.platform.Platforms;

import jdk.net.ExtendedSocketOptions;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntToLongFunction;

/**
 * One end of a UNIX-domain socket pair, or any adopted AF_UNIX socket: a {@link SocketChannel} that is
 * connected from birth until it is closed.
 *
 * <p>One class serves every {@link SocketType}. On {@link SocketType#STREAM} it behaves as a JDK socket
 * channel. On {@link SocketType#DGRAM} and {@link SocketType#SEQPACKET} one write sends one message
 * (all of the buffer, or an exception) and one read receives one message; the part of a message that
 * does not fit the reader's buffer is discarded, as in C; {@link #sendMessages} and
 * {@link #receiveMessages} move many messages per call.
 *
 * <h2>Blocking</h2>
 * In blocking mode (the default unless the pair was opened with {@link SocketFlag#NONBLOCK}) a read
 * waits until at least one byte or one message arrives, and a write on a stream waits until every byte
 * is written. In non-blocking mode a read returns 0 and a write returns 0 when the socket is not ready.
 * {@link #configureBlocking} sets the kernel's {@code O_NONBLOCK} flag to match. The flag belongs to the
 * open socket, which other descriptors may share (a socket sent to or inherited by another process, or
 * adopted twice); if another holder changes it, this channel keeps the semantics of
 * {@link #isBlocking()}, passing {@code MSG_DONTWAIT} or waiting in poll(2) as needed. A platform thread waits
 * inside recv(2) or send(2) as C code does (a close wakes it by shutting the socket down first); a
 * virtual thread never blocks in the kernel, which would pin its carrier, but parks until the socket is
 * ready.
 *
 * <h2>End of stream</h2>
 * A read returns -1 once the peer has closed or shut down its output (STREAM, SEQPACKET) or this
 * channel's input was shut down (every type). A DGRAM pair has no end of stream: after the peer closed
 * or shut down its output, reads wait for ever (after a close, writes fail with {@code ECONNREFUSED}).
 * A read of 0 bytes from a DGRAM channel is an empty datagram.
 *
 * <h2>Threads</h2>
 * The channel is safe for use by multiple threads. One read and one write may proceed at the same time;
 * a second reader (or writer) waits for the first. A thread blocked in a read or write when another
 * thread closes the channel gets {@link java.nio.channels.AsynchronousCloseException}, and so does one
 * blocked in a write when another thread shuts down the output (one blocked in a read when another
 * shuts down the input returns -1); a thread interrupted while blocked closes the channel and gets
 * {@link java.nio.channels.ClosedByInterruptException} with its interrupt status set. Non-blocking
 * operations ignore interrupts.
 *
 * <h2>Memory</h2>
 * Direct buffers and native segments are read and written in place; heap memory is copied through
 * native memory of the channel, except where a call that cannot block uses it in place. Scattering
 * reads, gathering writes, message batches, and sends and receives with ancillary data, which hand the
 * kernel bare addresses, use a direct buffer in place only if its memory cannot be freed while the
 * buffer is reachable ({@link ByteBuffer#allocateDirect}, {@link java.lang.foreign.Arena#global()},
 * {@link java.lang.foreign.Arena#ofAuto()}), and copy the memory of an arena that can be closed.
 *
 * <p>Memory of an arena is checked as any access to it is: an operation given memory of a closed arena
 * throws {@link IllegalStateException}, and one given memory confined to another thread throws
 * {@link WrongThreadException}, before anything is sent or received. While a platform thread reads or
 * writes one buffer or segment in place, waiting in the kernel, its arena is held: closing a shared
 * arena then throws {@link IllegalStateException}, as with the JDK's channels. Memory that is copied is
 * not held: closing its arena under a receive that waits makes the receive throw
 * {@link IllegalStateException} when the bytes arrive, without storing them.
 *
 * <p>Each direction keeps, besides its own small native memory, a view of the last ByteBuffer or segment
 * it transferred, so that a loop over one buffer allocates nothing: that buffer stays reachable until the
 * direction is used with another one or the channel is closed. A direction that has moved a message batch
 * keeps, likewise, the array of buffers it was given last, views of those buffers, and the memory of its
 * message headers. Native memory of the channel is freed when it is closed.
 *
 * <h2>Message batches</h2>
 * On DGRAM and SEQPACKET, {@link #sendMessages} and {@link #receiveMessages} move many messages per call,
 * one per buffer, each as {@link #write(ByteBuffer)} and {@link #read(ByteBuffer)} move one; their counts
 * are of messages. Up to 1024 go with one sendmmsg(2) or recvmmsg(2), one system call on Linux (FreeBSD's
 * C library makes it a sendmsg(2) or recvmsg(2) per message); where the system has neither (DragonFly,
 * macOS, and portable mode, {@code -Ddev.socketpair.portable=true}) the library makes a sendmsg(2) or
 * recvmsg(2) per message itself, with the same results. A larger batch goes in as many calls as it needs,
 * and so does one whose copied buffers hold more than 256 KiB. Buffers are used in place or copied as a
 * scattering read's and a gathering write's are (see Memory).
 *
 * <h2>Errors</h2>
 * Every operation on a closed channel throws {@link ClosedChannelException}. A failed system call
 * throws {@link ErrnoException}, a {@link java.net.SocketException}, naming the call and the errno:
 * writing after the peer has gone throws it with {@code EPIPE} and never raises SIGPIPE. Once a read
 * of a STREAM or SEQPACKET channel has thrown it with {@code ECONNRESET} (the peer closed with data
 * unread), every later read throws it again rather than return -1, as the JDK's channels do.
 *
 * <h2>Selectors</h2>
 * In non-blocking mode the channel can be registered with a selector of its own provider, from
 * {@link #openSelector()}, for {@link SelectionKey#OP_READ} and {@link SelectionKey#OP_WRITE}. It cannot
 * share a selector with the JDK's channels: each kind of selector rejects the other kind of channel
 * with {@link java.nio.channels.IllegalSelectorException}. Closing a registered channel cancels its
 * keys.
 *
 * <h2>Not supported</h2>
 * The channel cannot be bound or connected elsewhere. {@link #socket()} is a {@link Socket} view whose
 * address methods answer as for a socket with no IP address.
 *
 * @see SocketPair
 * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
 */
public final class UnixSocketChannel extends SocketChannel {

    /** {@link #sendWithoutWaiting} could not hold the descriptor: the channel is closing. */
    private static final long NOT_HELD = Long.MIN_VALUE;

    /** Writes up to this size try {@link #sendWithoutWaiting} first. */
    private static final int SMALL_WRITE = 4096;

    private static final String NO_CREDENTIALS = "this system sends no credentials with messages";

    /** Whether this system sends credentials with messages, which {@code SO_PASSCRED} turns on. */
    private static final class Options {
        static final boolean PASS_CREDENTIALS = Features.sendsCredentials();
    }

    /**
     * The options of a channel on this system: {@code SO_PASSCRED} only where it sends credentials. Apart
     * from {@link Options}, which receives read: naming jdk.net's option initialises that module's class,
     * which loads a native library of its own.
     */
    private static final class SupportedOptions {
        static final Set<SocketOption<?>> ALL = supported();

        private static Set<SocketOption<?>> supported() {
            Set<SocketOption<?>> options = new HashSet<>(List.of(StandardSocketOptions.SO_SNDBUF,
                    StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_LINGER, ExtendedSocketOptions.SO_PEERCRED,
                    UnixSocketOptions.SO_PEERCRED, UnixSocketOptions.SO_TYPE, UnixSocketOptions.SO_ERROR));
            if (Options.PASS_CREDENTIALS) {
                options.add(UnixSocketOptions.SO_PASSCRED);
            }
            return Set.copyOf(options);
        }
    }

    /** The longest linger interval, in seconds, as the JDK's channels bound it: longer ones are set to this. */
    private static final int MAX_LINGER = 65535;

    private final SocketDescriptor descriptor;
    private final int fd;
    private final SocketType type;
    private final boolean messageBased;

    // Serialises reads; also guards readScratch, readYield, connectionReset and deferredReadErrno.
    private final ReentrantLock readLock = new ReentrantLock();
    private final NativeScratch readScratch;
    // Made by the first wait of a virtual thread: a channel only platform threads use needs none.
    private YieldBeforePark readYield;
    // A read failed with ECONNRESET: every later read fails so too, as the JDK's channels do, where the
    // kernel would report the reset once and then end of stream.
    private boolean connectionReset;
    // A receive of a message batch failed after it had received messages, which it returned: the next
    // read reports the failure, as the kernel does where it makes the batch (recvmmsg keeps the error).
    private int deferredReadErrno;

    // Serialises writes; also guards writeScratch and writeYield.
    private final ReentrantLock writeLock = new ReentrantLock();
    private final NativeScratch writeScratch;
    private YieldBeforePark writeYield;

    // Serialises shutdownInput/shutdownOutput; the flags are read without it.
    private final Object stateLock = new Object();
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    // The view socket() returns, made at its first call under stateLock: most channels never need one.
    private volatile Socket socket;

    // True only while the constructor aligns the blocking mode with flags the kernel already has.
    private boolean constructing;

    // Registrations with UnixSelectors that may have this descriptor in their readiness sets; closing
    // takes it out of each before close(2) (see UnixSelector). Made at the first registration: most
    // channels never meet a selector, and an application may hold thousands of them.
    private volatile List<UnixSelectionKey> selectorKeys;

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
        this.readScratch = new NativeScratch(descriptor.memory());
        this.writeScratch = new NativeScratch(descriptor.memory());
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
     * <p>A descriptor this library already owns (another channel's, a selector's, or one a
     * {@link ReceivedMessage} still holds) is refused: two owners would both close it, and the second
     * close would close whatever file the process had opened under the number in between. Once its owner
     * has closed it, the number is free to adopt again. Safe to call from any thread.
     *
     * @param fd an open socket descriptor
     * @return a channel that owns {@code fd}
     * @throws IllegalArgumentException if {@code fd} is negative, is a socket of another domain, or is
     *                                  already owned by this library
     * @throws ErrnoException           if {@code fd} is not open ({@code EBADF}) or not a socket
     *                                  ({@code ENOTSOCK})
     * @throws IOException              if some other I/O error occurs
     * @throws UnsupportedOperationException if the library has no bindings for this operating system,
     *                                  architecture or C library
     */
    public static UnixSocketChannel adopt(int fd) throws IOException {
        Platforms.requireSupported();
        if (fd < 0) {
            throw new IllegalArgumentException("negative descriptor: " + fd);
        }
        return adopt(fd, null);
    }

    /**
     * As {@link #adopt(int)}, for a descriptor that {@code from} (a received message) owns and hands
     * over, or, if {@code from} is null, that nothing in this library owns.
     */
    static UnixSocketChannel adopt(int fd, OwnedDescriptors.Owner from) throws IOException {
        long domain = SocketControl.domain(fd);
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
        // Claimed last, so that nothing can fail once it is: the channel's descriptor takes the
        // registration over from this placeholder.
        OwnedDescriptors.claim(fd, new OwnedDescriptors.Owner("a UnixSocketChannel"), from);
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

    /** The descriptor's owner, which a selector holds while it puts the number in its set or takes it out. */
    SocketDescriptor descriptor() {
        return descriptor;
    }

    /**
     * Opens a {@link Selector} for {@code UnixSocketChannel}s: the same as
     * {@code channel.provider().openSelector()}, without a channel at hand or a cast.
     *
     * <p>The selector works on epoll(7), or on poll(2) where the system has no epoll (the BSDs, macOS, and
     * portable mode), and has the JDK's selection semantics either way. It accepts only channels
     * of this class: registering a JDK channel with it throws
     * {@link java.nio.channels.IllegalSelectorException}, and so does registering one of these channels
     * with a JDK selector. A program that needs both kinds uses one selector for each, each selecting
     * in its own thread, or virtual threads with blocking channels (see the package description).
     * {@link SelectionKey#OP_READ} and {@link SelectionKey#OP_WRITE} become ready;
     * {@link SelectionKey#OP_CONNECT} is accepted, as for any {@link SocketChannel}, and never becomes
     * ready, since a pair end is connected from birth.
     *
     * <p>A platform thread waits in a selection operation inside epoll_wait(2) (or poll(2)); a virtual
     * thread parks until the set has events, and does not hold its carrier (on JDK 24 and later: a
     * selection operation synchronizes on the selector, as {@link Selector} specifies, and before JDK 24 a
     * virtual thread that parks inside {@code synchronized} keeps its carrier); with poll(2), a platform
     * thread of the library makes the poll for it meanwhile. {@link Selector#wakeup()},
     * {@link Selector#close()} and {@link Thread#interrupt()} release either kind. The selector is safe
     * for use by multiple threads, as {@link Selector} specifies; it holds three descriptors (the epoll
     * set and a socket pair for wake-ups; with poll(2) the pair alone) until it is closed.
     *
     * @return a new selector
     * @throws ErrnoException if epoll_create1(2) or socketpair(2) fails (or, in portable mode, fcntl(2)),
     *                        such as {@code EMFILE} when the process has no descriptors left
     * @throws IOException    if some other I/O error occurs
     * @see <a href="https://man7.org/linux/man-pages/man7/epoll.7.html">epoll(7)</a>
     * @see <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a>
     */
    public static Selector openSelector() throws IOException {
        return UnixSelectorProvider.INSTANCE.openSelector();
    }

    // -- reading

    /**
     * Reads bytes (STREAM) or one message (DGRAM, SEQPACKET) into {@code dst}.
     *
     * <p>In blocking mode this waits until something can be read; it returns after a partial transfer.
     * A buffer with nothing remaining returns 0 without waiting, or -1 once input is shut down.
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
     *                                  with data still unread; after that, on STREAM and SEQPACKET, every
     *                                  later read throws it too (never -1), as the JDK's channels do
     * @throws IOException              if some other I/O error occurs
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw invalidBuffers(new IllegalArgumentException("Read-only buffer"));
        }
        Transfer.Buffer transfer = Transfer.of(dst, readScratch);
        return (int) read(transfer, dst.hasRemaining());
    }

    /**
     * Reads into a sequence of buffers with one recvmsg(2), filling them in order (a scattering read
     * as readv(2) does). On DGRAM and SEQPACKET one message is read across the buffers. At most IOV_MAX
     * buffers with space left take part in one call. On STREAM a call that copies (heap buffers, see
     * the class description) moves at most 256 KiB of copied bytes, and then fills only the buffers up
     * to the one where that limit falls: the bytes read always fill the buffers from the first one on. A
     * buffer that appears more than once is filled once for each appearance from its position when the
     * call began, and ends after the furthest byte stored. Blocking, end of stream, threads and
     * exceptions are as for {@link #read(ByteBuffer)}.
     *
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not fit {@code dsts}
     * @throws IllegalArgumentException  if any of the buffers is read-only
     */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        boolean hasSpace = checkBuffers(dsts, offset, length, true);
        return read(new Transfer.Buffers(dsts, offset, length), hasSpace);
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
            throw invalidBuffers(new IllegalArgumentException("Read-only segment"));
        }
        Transfer.Segment transfer = Transfer.of(dst, readScratch);
        return read(transfer, dst.byteSize() > 0);
    }

    /**
     * The read protocol common to every destination kind: lock, begin, attempt, wait and attempt again
     * while blocking, end, translate.
     */
    private long read(Transfer dst, boolean hasSpace) throws IOException {
        return read(dst, hasSpace, false, 0);
    }

    /**
     * {@link #read(Transfer, boolean)}, with or without a deadline.
     *
     * <p>A {@code timed} blocking read waits until {@link System#nanoTime()} reaches {@code deadline} at
     * most, and then throws {@link SocketTimeoutException} with the channel as it was. It never waits
     * inside recv: a platform thread waits in poll(2) with a timeout (held as a blocking operation, so
     * that a close wakes it by shutting the socket down), a virtual thread parks with one. The socket's
     * {@code O_NONBLOCK} flag stays as it is, so another thread's read or write on the channel meanwhile
     * keeps its own semantics.
     *
     * @throws SocketTimeoutException if a timed read found nothing before the deadline
     */
    private long read(Transfer dst, boolean hasSpace, boolean timed, long deadline) throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            if (connectionReset) {
                throw Errors.onOwnDescriptor(dst.syscall(true), Errno.ECONNRESET);
            }
            if (deferredReadErrno != 0) {
                int errno = deferredReadErrno;
                deferredReadErrno = 0;
                connectionReset = errno == Errno.ECONNRESET && type != SocketType.DGRAM;
                throw Errors.onOwnDescriptor(dst.syscall(true), errno);
            }
            boolean blocking = isBlocking();
            boolean blockInKernel = blocksInKernel(blocking);
            long n = -Errno.EAGAIN;
            boolean acquired = false;
            boolean timedOut = false;
            try {
                // As in the JDK, a blocking read of nothing is still a blocking operation (an interrupted
                // thread closes the channel), and a shut-down input answers end of stream whatever the
                // buffer.
                acquired = beginIo(blocking, blockInKernel);
                if (inputShutdown) {
                    return -1;
                }
                if (!hasSpace) {
                    return 0;
                }
                if (blocking && !blockInKernel && readYield != null) {
                    // A virtual thread: its reads may be replies, which a yield lets the peer send first.
                    readYield.beforeFirstAttempt();
                }
                for (;;) {
                    n = receive(dst, blockInKernel && !timed);
                    if (n <= 0 && !descriptor.isOpen()) {
                        break;
                    }
                    if (n == -Errno.EINTR) {
                        continue;
                    }
                    if (n != -Errno.EAGAIN || !blocking) {
                        break;
                    }
                    long nanos = 0;
                    if (timed) {
                        nanos = deadline - System.nanoTime();
                        if (nanos <= 0) {
                            timedOut = true;
                            break;
                        }
                    }
                    if (!await(true, nanos, readScratch) || inputShutdown) {
                        break;
                    }
                }
            } finally {
                // End of stream seen while closing is the shutdown that woke this thread: not completed.
                endIo(blocking, acquired, blockInKernel, n > 0 || (n == 0 && descriptor.isOpen()));
            }
            if (n > 0) {
                deferredReadErrno = dst.deferredErrno();
                return n;
            }
            if (timedOut && !inputShutdown) {
                throw new SocketTimeoutException("Read timed out");
            }
            if (inputShutdown || (n == 0 && type != SocketType.DGRAM)) {
                return -1;
            }
            if (n == 0 || n == -Errno.EAGAIN) {
                return 0;
            }
            // A datagram socket has no connection to lose: its reads go on after any error.
            connectionReset = n == -Errno.ECONNRESET && type != SocketType.DGRAM;
            throw Errors.onOwnDescriptor(dst.syscall(true), (int) -n);
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

    /**
     * One attempt of a read: the transfer's system call on this socket, with the read scratch. The
     * empty messages that end a batch are end of stream on SEQPACKET, and, once input is shut down or
     * the channel closing, what woke the receive on DGRAM: not messages.
     */
    private long receive(Transfer dst, boolean block) {
        long n = dst.receive(fd, messageBased, block, readScratch);
        if (readYield != null) {
            readYield.attempted(n == -Errno.EAGAIN);
        }
        return n > 0 ? dst.counted(n, type == SocketType.SEQPACKET || inputShutdown || !descriptor.isOpen()) : n;
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
     * @throws ClosedChannelException   if this channel is closed
     * @throws java.nio.channels.AsynchronousCloseException if the output has been shut down (as the
     *         JDK's socket channel throws), or another thread closes this channel, or shuts down its
     *         output, while the write is in progress, even after part of the buffer was
     *         written: its position says how much
     * @throws java.nio.channels.ClosedByInterruptException if another thread interrupts the current
     *         thread while the write is in progress, or the thread's interrupt status is set when a
     *         blocking write begins (whether or not the output is shut down); the channel is then closed
     *         and the interrupt status set
     * @throws ErrnoException           if send(2) fails, such as {@code EPIPE} when the peer has gone
     * @throws IOException              if some other I/O error occurs
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        Transfer.Buffer transfer = Transfer.of(src, writeScratch);
        return (int) write(transfer, src.hasRemaining());
    }

    /**
     * Writes a sequence of buffers with one sendmsg(2), in order (a gathering write as writev(2) does).
     * On DGRAM and SEQPACKET the buffers form one message; with no bytes remaining a DGRAM write sends an
     * empty datagram, as {@link #write(ByteBuffer)} does. At most IOV_MAX buffers with bytes left take
     * part in one call. On STREAM a call that copies (heap buffers, see the class description) sends at
     * most 256 KiB of copied bytes, and then only the buffers up to the one where that limit falls: the
     * bytes written are always the first ones of the sequence. A buffer that appears more than once is
     * sent once for each appearance from its position when the call began, and ends after the furthest
     * byte sent. Blocking, threads and exceptions are as for {@link #write(ByteBuffer)}.
     *
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not fit {@code srcs}
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        boolean hasData = checkBuffers(srcs, offset, length, false);
        return write(new Transfer.Buffers(srcs, offset, length), hasData);
    }

    /**
     * Validates a slice of a buffer array before any system call.
     *
     * @return whether any buffer in the slice has bytes (or space) remaining
     */
    private boolean checkBuffers(ByteBuffer[] buffers, int offset, int length, boolean destinations)
            throws ClosedChannelException {
        Objects.checkFromIndexSize(offset, length, buffers.length);
        boolean any = false;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = buffers[i];
            if (b == null) {
                throw invalidBuffers(new NullPointerException("buffers[" + i + "]"));
            }
            if (destinations && b.isReadOnly()) {
                throw invalidBuffers(new IllegalArgumentException("Read-only buffer"));
            }
            any |= b.hasRemaining();
        }
        return any;
    }

    /**
     * Returns {@code e}, the fault of a buffer (null, read-only) that a read or write was given, to be
     * thrown; or throws {@link ClosedChannelException} if this channel is closed, which the JDK's
     * channels report first, as they look at the buffers only once the channel's state allows the call.
     */
    private RuntimeException invalidBuffers(RuntimeException e) throws ClosedChannelException {
        ensureOpen();
        return e;
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
        Transfer.Segment transfer = Transfer.of(src, writeScratch);
        return write(transfer, src.byteSize() > 0);
    }

    /**
     * The write protocol common to every source kind. A blocking STREAM write, or batch of messages,
     * repeats until the source is drained; a message goes in one attempt.
     */
    private long write(Transfer src, boolean hasData) throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            boolean blocking = isBlocking();
            boolean sends = hasData || type == SocketType.DGRAM;
            long written = 0;
            if (sends && blocking && src.isSingleAtMost(SMALL_WRITE) && !Thread.currentThread().isInterrupted()
                    && !outputShutdown) {
                long first = sendWithoutWaiting(src);
                if (first >= 0 && (src.sendsAtOnce(messageBased) || !src.hasRemaining(first))) {
                    return first;
                }
                if (first < 0 && first != -Errno.EAGAIN && first != -Errno.EINTR && first != NOT_HELD) {
                    // Reported now: a failed send can change the socket (a datagram socket whose peer
                    // has gone disconnects), so trying again would report something else.
                    throw outputShutdown ? new AsynchronousCloseException()
                            : Errors.onOwnDescriptor(src.syscall(false), (int) -first);
                }
                written = Math.max(first, 0);
            }
            boolean blockInKernel = blocksInKernel(blocking);
            long n = -Errno.EAGAIN;
            boolean acquired = false;
            boolean done = false;
            try {
                // As in the JDK, a blocking write of nothing, or one refused because the output is
                // shut down, is still a blocking operation: an interrupted thread closes the channel
                // and gets ClosedByInterruptException, which endIo throws before the refusal below.
                acquired = beginIo(blocking, blockInKernel);
                if (!sends && !outputShutdown) {
                    return 0;
                }
                while (!outputShutdown) {
                    n = send(src, written, blockInKernel);
                    if (n >= 0) {
                        written += n;
                        done = !blocking || src.sendsAtOnce(messageBased) || !src.hasRemaining(written);
                    }
                    if (done || !descriptor.isOpen()) {
                        break;
                    }
                    if (n < 0 && n != -Errno.EINTR
                            && (n != -Errno.EAGAIN || !blocking || !await(false, 0, writeScratch) || outputShutdown)) {
                        break;
                    }
                }
            } finally {
                // Closed part-way through a blocking write: the exception, not a short count, says so;
                // the buffer's position tells how much went out.
                endIo(blocking, acquired, blockInKernel, done || (descriptor.isOpen() && (written > 0 || n >= 0)));
            }
            if (!done && outputShutdown) {
                // Output shut down before the write, or under it, which that ended (EPIPE) or woke: as
                // for a close. The JDK's channel throws this too whenever nothing was written.
                throw new AsynchronousCloseException();
            }
            if (written > 0 || n >= 0 || n == -Errno.EAGAIN) {
                return written;
            }
            if (n == -Errno.EBADF && src.passesDescriptors()) {
                // This channel's descriptor is held open for the call: EBADF names one of the caller's.
                throw Errors.exception("sendmsg", Errno.EBADF);
            }
            throw Errors.onOwnDescriptor(src.syscall(false), (int) -n);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * One attempt of a write: the transfer's system call on this socket, with the write scratch, for
     * what is left after {@code written} bytes.
     */
    private long send(Transfer src, long written, boolean block) {
        long n = src.send(fd, written, messageBased, block, writeScratch);
        if (writeYield != null) {
            writeYield.attempted(n == -Errno.EAGAIN);
        }
        return n;
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
    private long sendWithoutWaiting(Transfer src) {
        if (!descriptor.acquire()) {
            return NOT_HELD;
        }
        try {
            return send(src, 0, false);
        } finally {
            descriptor.release();
        }
    }

    /**
     * Makes the pollers that park waiting virtual threads, on the first wait: that can fail (epoll_create1,
     * or socketpair for the poll(2) poller's wake-up pair, with EMFILE), and then fails this call only; the
     * next wait tries again.
     */
    static void startPollers() throws ErrnoException {
        Poller.StartFailure failure = Poller.start();
        if (failure != null) {
            throw Errors.exception(failure.syscall(), failure.errno());
        }
    }

    /**
     * Waits until the socket is ready for reading (or writing) or the channel is closing: a virtual
     * thread parks, leaving its carrier free, unless its {@link YieldBeforePark} has it yield first and
     * try again (a peer on the same carriers may answer meanwhile); a platform thread waits in poll(2),
     * which a close wakes by shutting the socket down. (A platform thread in blocking mode normally
     * waits inside recv or send; it gets here only if another holder of the socket set
     * {@code O_NONBLOCK} on it, or for a read with a timeout.) With {@code nanos} above 0 it waits that
     * long at most; the caller tells a timeout from readiness by attempting the transfer again.
     *
     * @return true to attempt the transfer again, false if the channel is closing
     */
    private boolean await(boolean reading, long nanos, NativeScratch scratch) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            if (yieldBeforePark(reading).yieldFirst()) {
                return true;
            }
            startPollers();
            int r = descriptor.parkUntilReady(reading, nanos, scratch);
            if (r < 0 && r != SocketDescriptor.CLOSED) {
                throw Errors.onOwnDescriptor("epoll_ctl", -r);
            }
            return r == 0;
        }
        int r = SocketIo.await(fd, reading, pollTimeout(nanos), scratch);
        if (r < 0 && r != -Errno.EINTR) {
            throw Errors.onOwnDescriptor("poll", -r);
        }
        return descriptor.isOpen();
    }

    /** {@return the yield policy of a direction, made at its first wait; under that direction's lock} */
    private YieldBeforePark yieldBeforePark(boolean reading) {
        if (reading) {
            if (readYield == null) {
                readYield = new YieldBeforePark();
            }
            return readYield;
        }
        if (writeYield == null) {
            writeYield = new YieldBeforePark();
        }
        return writeYield;
    }

    /** {@return poll(2)'s timeout for a wait of {@code nanos} (0: without limit), rounded up to a millisecond} */
    private static int pollTimeout(long nanos) {
        if (nanos <= 0) {
            return -1;
        }
        return (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    // -- message batches

    /**
     * Sends each of {@code messages} as one message of its own, in order: the same as
     * {@code sendMessages(messages, 0, messages.length)}.
     *
     * @param messages the buffers, one message each
     * @return the number of messages sent
     * @throws NullPointerException if {@code messages} is null
     * @throws IOException          as for {@link #sendMessages(ByteBuffer[], int, int)}, whose other
     *                              exceptions this throws too
     */
    public int sendMessages(ByteBuffer... messages) throws IOException {
        return sendMessages(Objects.requireNonNull(messages, "messages"), 0, messages.length);
    }

    /**
     * Sends each of {@code messages[offset .. offset+length)} as one message of its own, in order: its
     * remaining bytes, as {@link #write(ByteBuffer)} sends them, on a DGRAM or SEQPACKET channel, with
     * sendmmsg(2) where the system has it (see Message batches in the class description).
     *
     * <p>In blocking mode this returns once every message has gone, waiting for room as a blocking write
     * does: a platform thread inside the system call, a virtual thread parked. If sending fails after at
     * least one message went, it returns how many went, and the next send meets the failure again and
     * throws it (as the JDK's channels end a write that failed part-way with a short count). In
     * non-blocking mode it sends what fits now, possibly nothing. Each message goes whole or not at all:
     * the position of each buffer sent is its limit, the others are untouched, so the messages sent are
     * always the first ones and a later call can start at {@code offset} plus the count. An empty buffer is
     * an empty datagram on DGRAM; on SEQPACKET, where an empty record would read as end of stream at the
     * peer, it is refused.
     *
     * <p>Safe for use by multiple threads: a batch is one write of this channel, which waits for another
     * write in progress and runs alongside a read. A thread blocked in a batch throws
     * {@link AsynchronousCloseException} when another thread closes the channel or shuts down its output,
     * and {@link java.nio.channels.ClosedByInterruptException} when interrupted, which closes the channel
     * and leaves the interrupt status set; messages may have gone before either, and the buffers'
     * positions say which.
     *
     * @param messages the buffers, one message each
     * @param offset   the index in {@code messages} of the first
     * @param length   how many to send
     * @return the number of messages sent, from the first on: {@code length} in blocking mode unless
     *         sending failed part-way, possibly 0 in non-blocking mode
     * @throws UnsupportedOperationException if this channel is STREAM, which has no messages to batch (the
     *                                  JDK throws this for an operation its kind of socket lacks, as
     *                                  {@code socket()} of a UNIX-domain {@link SocketChannel})
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not fit {@code messages}
     * @throws NullPointerException     if a buffer in the range is null
     * @throws IllegalArgumentException if this channel is SEQPACKET and a buffer in the range is empty
     * @throws IllegalStateException    if a buffer's memory belongs to an arena that is closed; nothing
     *                                  from there on is sent
     * @throws WrongThreadException     if a buffer's memory is confined to another thread; nothing from
     *                                  there on is sent
     * @throws ClosedChannelException   if this channel is closed
     * @throws AsynchronousCloseException if the output has been shut down, or another thread closes this
     *         channel, or shuts down its output, while the batch is in progress
     * @throws java.nio.channels.ClosedByInterruptException if another thread interrupts the current
     *         thread while the batch is in progress; the channel is then closed and the interrupt status set
     * @throws ErrnoException           if sendmmsg(2) (or sendmsg(2)) fails for the first message sent,
     *                                  such as {@code EMSGSIZE} for one larger than the socket can carry,
     *                                  or {@code EPIPE} when the peer has gone
     * @throws IOException              if some other I/O error occurs
     * @see <a href="https://man7.org/linux/man-pages/man2/sendmmsg.2.html">sendmmsg(2)</a>
     */
    public int sendMessages(ByteBuffer[] messages, int offset, int length) throws IOException {
        checkMessages(messages, offset, length, false);
        Transfer.Messages batch = Transfer.of(messages, offset, length, writeScratch);
        return (int) write(batch, length > 0);
    }

    /**
     * Receives one message into each of {@code buffers}, in order: the same as
     * {@code receiveMessages(buffers, 0, buffers.length)}.
     *
     * @param buffers the buffers, one message each
     * @return the number of messages received, or -1 at end of stream
     * @throws NullPointerException if {@code buffers} is null
     * @throws IOException          as for {@link #receiveMessages(ByteBuffer[], int, int)}, whose other
     *                              exceptions this throws too
     */
    public int receiveMessages(ByteBuffer... buffers) throws IOException {
        return receiveMessages(Objects.requireNonNull(buffers, "buffers"), 0, buffers.length);
    }

    /**
     * Receives one message into each of {@code buffers[offset .. offset+length)}, in order, on a DGRAM or
     * SEQPACKET channel: as many as are queued, up to one per buffer, with recvmmsg(2) where the system
     * has it (see Message batches in the class description).
     *
     * <p>In blocking mode this waits until a message arrives, then takes whatever else is queued without
     * waiting for more (recvmmsg's {@code MSG_WAITFORONE}); a platform thread waits inside the system
     * call, a virtual thread parks. In non-blocking mode it takes what is queued, possibly nothing. The
     * batch ends before the first buffer that has no space left: if that is the first one, this returns 0
     * at once, as {@link #read(ByteBuffer)} does for a full buffer (-1 once input is shut down).
     *
     * <p>Each message is stored from its buffer's position on, which advances by the bytes stored; as
     * with {@link #read(ByteBuffer)}, the part of a message that does not fit its buffer is discarded,
     * and nothing tells so ({@link #receive(ByteBuffer, int)} reports a message's real length). The
     * buffers after the last message received are untouched. On DGRAM an empty datagram is a message of
     * no bytes.
     *
     * <p>End of stream is as for {@link #read(ByteBuffer)}: on SEQPACKET, once the peer has closed or shut
     * down its output, and on every type once this channel's input is shut down, the messages still
     * queued come first, and then this returns -1. On SEQPACKET a record of no bytes, which this library
     * never sends, reads as end of stream where nothing follows it in the same call, as a single read
     * takes it, and as an empty message where messages follow it.
     *
     * <p>If receiving fails after at least one message came, this returns those, and the next read of
     * any kind throws the failure (with recvmmsg the kernel keeps it for the next call; the loop of
     * recvmsg keeps it here).
     *
     * <p>Safe for use by multiple threads: a batch is one read of this channel, which waits for another
     * read in progress and runs alongside a write. A thread blocked in a batch throws
     * {@link AsynchronousCloseException} when another thread closes the channel, and
     * {@link java.nio.channels.ClosedByInterruptException} when interrupted, which closes the channel and
     * leaves the interrupt status set; one blocked when another thread shuts down the input returns -1.
     *
     * @param buffers the buffers, one message each
     * @param offset  the index in {@code buffers} of the first
     * @param length  how many messages to take at most
     * @return the number of messages received, into the buffers from the first on; 0 if the channel is
     *         non-blocking and nothing was queued, or the first buffer has no space; -1 at end of stream
     * @throws UnsupportedOperationException if this channel is STREAM, which has no messages to batch (the
     *                                  JDK throws this for an operation its kind of socket lacks, as
     *                                  {@code socket()} of a UNIX-domain {@link SocketChannel})
     * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not fit {@code buffers}
     * @throws NullPointerException     if a buffer in the range is null
     * @throws IllegalArgumentException if a buffer in the range is read-only
     * @throws IllegalStateException    if a buffer's memory belongs to an arena that is closed, before
     *                                  anything is received, or closed while the batch waits, when the
     *                                  messages arrive: they are lost
     * @throws WrongThreadException     if a buffer's memory is confined to another thread
     * @throws ClosedChannelException   if this channel is closed
     * @throws AsynchronousCloseException if another thread closes this channel while the batch is in
     *         progress
     * @throws java.nio.channels.ClosedByInterruptException if another thread interrupts the current
     *         thread while the batch is in progress; the channel is then closed and the interrupt status set
     * @throws ErrnoException           if recvmmsg(2) (or recvmsg(2)) fails before any message came, or
     *                                  a batch before this one failed after its messages, such as with
     *                                  {@code ECONNRESET} when the peer closed with data unread; after
     *                                  that, on SEQPACKET, every later read throws it too
     * @throws IOException              if some other I/O error occurs
     * @see <a href="https://man7.org/linux/man-pages/man2/recvmmsg.2.html">recvmmsg(2)</a>
     */
    public int receiveMessages(ByteBuffer[] buffers, int offset, int length) throws IOException {
        checkMessages(buffers, offset, length, true);
        Transfer.Messages batch = Transfer.of(buffers, offset, length, readScratch);
        return (int) read(batch, length > 0 && buffers[offset].hasRemaining());
    }

    /**
     * Validates a batch of messages before any system call: the socket type first, which no state of the
     * channel changes, then the buffers as {@link #checkBuffers} does; on SEQPACKET no message to send may
     * be empty.
     */
    private void checkMessages(ByteBuffer[] buffers, int offset, int length, boolean destinations)
            throws ClosedChannelException {
        if (!messageBased) {
            throw new UnsupportedOperationException("message batches need a DGRAM or SEQPACKET socket; this one is "
                    + type);
        }
        checkBuffers(buffers, offset, length, destinations);
        if (!destinations && type == SocketType.SEQPACKET) {
            for (int i = offset; i < offset + length; i++) {
                if (!buffers[i].hasRemaining()) {
                    throw invalidBuffers(new IllegalArgumentException("messages[" + i
                            + "] is empty: an empty SEQPACKET record reads as end of stream"));
                }
            }
        }
    }

    // -- descriptors and credentials

    /**
     * Sends {@code src}'s remaining bytes with descriptors attached ({@code SCM_RIGHTS}), in one
     * sendmsg(2): the receiving process gets its own descriptors for the same open files, as if by dup(2).
     * The descriptors stay this process's; it may close them once this method returns.
     *
     * <p>Any kind of descriptor can be sent: sockets, pipe ends, files, and {@link #fd()} of a channel
     * (or use {@link #sendChannels} to have channels held open during the call). For a
     * {@link java.io.FileDescriptor} use {@link #sendDescriptors(ByteBuffer, FileDescriptor...)}. Up to
     * {@link #MAX_DESCRIPTORS} go in one message.
     *
     * <p>On STREAM and SEQPACKET at least one byte must be sent with the descriptors (the receiver finds
     * them with that byte; an empty SEQPACKET record would read as end of stream); on DGRAM an empty
     * message may carry them. The descriptors go with the first bytes that are sent: if a STREAM write
     * sends only part of the buffer, the rest follows without them. Blocking, threads and other
     * exceptions are as for {@link #write(ByteBuffer)}.
     *
     * @param src the bytes to send
     * @param fds the descriptors to send, open for the whole call
     * @return the number of bytes written, 0 if the channel is non-blocking and nothing was sent (then
     *         the descriptors were not sent either)
     * @throws IllegalArgumentException if more than {@link #MAX_DESCRIPTORS} descriptors are given, one
     *                                  is negative, or {@code src} is empty on STREAM or SEQPACKET
     * @throws ClosedChannelException   if this channel is closed
     * @throws java.nio.channels.AsynchronousCloseException if the output has been shut down, or another
     *         thread closes this channel, or
     *         shuts down its output, while the write is in progress
     * @throws java.nio.channels.ClosedByInterruptException if another thread interrupts the current
     *         thread while the write is in progress; the channel is then closed and the interrupt status set
     * @throws ErrnoException           if sendmsg(2) fails, such as {@code EBADF} when one of {@code fds}
     *                                  is not open, {@code ETOOMANYREFS} when descriptors in flight nest too
     *                                  deep, or {@code EPIPE} when the peer has gone
     * @throws IOException              if some other I/O error occurs
     * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
     */
    public int sendDescriptors(ByteBuffer src, int... fds) throws IOException {
        Objects.requireNonNull(src, "src");
        int[] copy = Objects.requireNonNull(fds, "fds").clone();
        checkDescriptors(copy.length);
        for (int fd : copy) {
            if (fd < 0) {
                throw new IllegalArgumentException("negative descriptor: " + fd);
            }
        }
        return (int) Math.max(0, sendMessage(src, copy, false));
    }

    /**
     * Sends {@code src}'s remaining bytes with the files of {@code fds} attached, as
     * {@link #sendDescriptors(ByteBuffer, int...)} does, for code that holds {@link FileDescriptor}s: those
     * of {@link java.io.FileInputStream#getFD()}, {@link java.io.FileOutputStream#getFD()},
     * {@link java.io.RandomAccessFile#getFD()}, {@link FileDescriptor#in} and the like. The receiver takes
     * each with {@link ReceivedMessage#takeFileDescriptor} (or by number).
     *
     * <p>What goes is a duplicate of each descriptor, made when the call starts and closed when it returns;
     * the FileDescriptors and their streams stay the caller's, untouched, and the send leaves nothing
     * open for the caller to close. A stream closed while the send waits for room neither waits for the
     * send nor stops its file from going, and no number it frees can be sent in its place: the JDK closes
     * a FileDescriptor under its monitor, and the duplicate is made under that monitor too.
     *
     * <p>The number inside a FileDescriptor is private to {@code java.base}: reading it needs
     * {@code java.base/java.io} opened to this library, with
     * {@code --add-opens java.base/java.io=dev.socketpair} on the module path or
     * {@code --add-opens java.base/java.io=ALL-UNNAMED} on the class path. Without it this method throws
     * {@link UnsupportedOperationException}, whose message names the option, and sends nothing. The
     * operation is unavailable in this JVM as configured, for as long as it runs, whatever state the
     * channel is in, as {@link #sendCredentials} is on a system without credentials in messages: hence
     * {@code UnsupportedOperationException}, not the {@code IllegalStateException} of a state that a later
     * call could find changed.
     *
     * <p>A FileDescriptor that holds no number is not {@linkplain FileDescriptor#valid() valid}: one made
     * by {@code new FileDescriptor()}, or one whose stream was closed (closing a stream sets its
     * FileDescriptor's number to -1, so a FileDescriptor from {@code getFD()} works only while its
     * stream is open). Such a FileDescriptor is refused. Blocking, threads and other exceptions are as
     * for {@link #sendDescriptors(ByteBuffer, int...)}.
     *
     * @param src the bytes to send
     * @param fds the files to send
     * @return the number of bytes written, 0 if the channel is non-blocking and nothing was sent (then
     *         the descriptors were not sent either)
     * @throws IllegalArgumentException      if more than {@link #MAX_DESCRIPTORS} FileDescriptors are
     *                                       given, one of them is not valid, or {@code src} is empty on
     *                                       STREAM or SEQPACKET
     * @throws UnsupportedOperationException if {@code java.base/java.io} is not open to this library
     * @throws ErrnoException                if a descriptor cannot be duplicated, such as {@code EMFILE} at
     *                                       the process's descriptor limit or {@code EBADF} for a number
     *                                       closed behind its FileDescriptor's back, or as for
     *                                       {@link #sendDescriptors(ByteBuffer, int...)}
     * @throws IOException                   as for {@link #sendDescriptors(ByteBuffer, int...)}
     * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
     */
    public int sendDescriptors(ByteBuffer src, FileDescriptor... fds) throws IOException {
        Objects.requireNonNull(src, "src");
        FileDescriptor[] copy = Objects.requireNonNull(fds, "fds").clone();
        checkDescriptors(copy.length);
        for (int i = 0; i < copy.length; i++) {
            if (!Objects.requireNonNull(copy[i], "fds[" + i + "]").valid()) {
                throw notValid(i);
            }
        }
        FileDescriptorNumbers.requireAccess();
        return (int) Math.max(0, sendDuplicates(src, copy.length, i -> duplicate(copy[i], i)));
    }

    /**
     * Returns a new close-on-exec descriptor for {@code fileDescriptor}'s file, which the caller owns.
     * Made under the FileDescriptor's monitor, which the JDK holds to close it: the number read cannot be
     * closed, and reused for another file, before it is duplicated.
     *
     * @throws IllegalArgumentException if the FileDescriptor was closed since it was checked
     */
    private static int duplicate(FileDescriptor fileDescriptor, int index) throws IOException {
        int r;
        synchronized (fileDescriptor) {
            int fd = FileDescriptorNumbers.number(fileDescriptor);
            if (fd < 0) {
                throw notValid(index);
            }
            r = SocketControl.duplicate(fd);
        }
        if (r < 0) {
            throw Errors.exception("fcntl", -r);
        }
        return r;
    }

    private static IllegalArgumentException notValid(int index) {
        return new IllegalArgumentException("fds[" + index + "] is not valid: it holds no descriptor (never opened, "
                + "or its stream was closed)");
    }

    /**
     * Sends {@code src}'s remaining bytes with the sockets of {@code channels} attached, as
     * {@link #sendDescriptors} does. What goes is a duplicate of each channel's descriptor, made when the
     * call starts and closed when it returns, so none of the channels is held by the send: closing one
     * while the send waits for room neither waits for the send nor stops the socket from going. The
     * channels stay open here: close them once sent if this process no longer needs them, or use
     * {@link #sendAndClose}. The receiver takes each with {@link ReceivedMessage#adoptChannel}.
     *
     * @param src      the bytes to send
     * @param channels the channels whose sockets to send
     * @return the number of bytes written, 0 if the channel is non-blocking and nothing was sent
     * @throws IllegalArgumentException if more than {@link #MAX_DESCRIPTORS} channels are given, one of
     *                                  them is closed, or {@code src} is empty on STREAM or SEQPACKET
     * @throws ErrnoException           if a descriptor cannot be duplicated, such as {@code EMFILE} at
     *                                  the process's descriptor limit, or as for {@link #sendDescriptors}
     * @throws IOException              as for {@link #sendDescriptors}
     */
    public int sendChannels(ByteBuffer src, UnixSocketChannel... channels) throws IOException {
        return (int) Math.max(0, sendChannelDuplicates(src, channels));
    }

    /** Sends duplicates of the channels' descriptors, closed again on return; -1 if nothing was sent. */
    private long sendChannelDuplicates(ByteBuffer src, UnixSocketChannel... channels) throws IOException {
        Objects.requireNonNull(src, "src");
        UnixSocketChannel[] copy = Objects.requireNonNull(channels, "channels").clone();
        checkDescriptors(copy.length);
        return sendDuplicates(src, copy.length, i -> Objects.requireNonNull(copy[i], "channels[" + i + "]")
                .duplicate("channels[" + i + "]"));
    }

    /** Makes the descriptor for the {@code index}th thing sent: a new one, which the caller closes. */
    @FunctionalInterface
    private interface Duplicating {
        int duplicate(int index) throws IOException;
    }

    /**
     * Sends {@code count} descriptors made by {@code duplicating}, closed again on return; -1 if nothing
     * was sent. If making one fails, those already made are closed and nothing is sent.
     */
    private long sendDuplicates(ByteBuffer src, int count, Duplicating duplicating) throws IOException {
        requireData(src);
        int[] fds = new int[count];
        int made = 0;
        try {
            for (; made < count; made++) {
                fds[made] = duplicating.duplicate(made);
            }
            return sendMessage(src, fds, false);
        } finally {
            for (int i = 0; i < made; i++) {
                SocketControl.close(fds[i]);
            }
        }
    }

    /**
     * Returns a new close-on-exec descriptor for this channel's socket (fcntl {@code F_DUPFD_CLOEXEC}),
     * which the caller owns.
     *
     * @throws IllegalArgumentException if this channel is closed; {@code name} says which it is
     */
    private int duplicate(String name) throws IOException {
        if (!descriptor.acquire()) {
            throw new IllegalArgumentException(name + " is closed");
        }
        int r;
        try {
            r = SocketControl.duplicate(fd);
        } finally {
            descriptor.release();
        }
        if (r < 0) {
            throw Errors.onOwnDescriptor("fcntl", -r);
        }
        return r;
    }

    /**
     * Sends {@code src}'s remaining bytes with {@code channel}'s socket attached, then closes
     * {@code channel} here: the usual way to hand one end of a new pair to another process.
     *
     * {@snippet :
     * SocketPair pair = SocketPair.open();
     * toWorker.sendAndClose(ByteBuffer.wrap(new byte[] {1}), pair.second());   // the worker's end now
     * UnixSocketChannel mine = pair.first();
     * }
     *
     * <p>{@code channel} is closed only if the message went: if this method throws, or returns 0 in
     * non-blocking mode, it is left open. Otherwise as {@link #sendChannels}.
     *
     * @param src     the bytes to send
     * @param channel the channel to send and then close
     * @return the number of bytes written, 0 if the channel is non-blocking and nothing was sent
     * @throws IOException as for {@link #sendChannels}, or if closing {@code channel} fails
     */
    public int sendAndClose(ByteBuffer src, UnixSocketChannel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        long n = sendChannelDuplicates(src, channel);
        if (n >= 0) {
            channel.close();
        }
        return (int) Math.max(0, n);
    }

    /**
     * Sends {@code src}'s remaining bytes with this process's credentials attached
     * ({@code SCM_CREDENTIALS}: its pid, uid and gid, which the kernel checks). The receiver sees them if
     * its socket has {@link UnixSocketOptions#SO_PASSCRED} set, and then the kernel attaches this
     * process's credentials to every message anyway: what this method adds is that they are attached
     * on the sending side, whether or not the receiver asked for them before the message was sent.
     * Blocking, threads and exceptions are as for {@link #sendDescriptors}.
     *
     * <p>Linux only: macOS's kernel accepts no credentials in a message, and the BSDs' own
     * ({@code SCM_CREDS}) carry other facts; there, and in portable mode
     * ({@code -Ddev.socketpair.portable=true}), this method throws at once and sends nothing.
     *
     * @param src the bytes to send
     * @return the number of bytes written, 0 if the channel is non-blocking and nothing was sent
     * @throws IllegalArgumentException      if {@code src} is empty on STREAM or SEQPACKET
     * @throws UnsupportedOperationException if the system sends no credentials with messages
     * @throws IOException                   as for {@link #sendDescriptors}
     */
    public int sendCredentials(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        if (!Options.PASS_CREDENTIALS) {
            throw new UnsupportedOperationException(NO_CREDENTIALS);
        }
        return (int) Math.max(0, sendMessage(src, new int[0], true));
    }

    /**
     * The most descriptors one message can carry on this platform: 253 ({@code SCM_MAX_FD} of Linux),
     * fewer where the C library limits the control data (244 with musl, so that this process's
     * credentials fit too); 0 on a system the library does not support.
     */
    public static final int MAX_DESCRIPTORS = Platforms.isSupported() ? ControlMessages.MAX_DESCRIPTORS : 0;

    private static void checkDescriptors(int count) {
        if (count > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException(count + " descriptors in one message; the limit is "
                    + MAX_DESCRIPTORS);
        }
    }

    /** Refuses an empty message with ancillary data where the receiver could not find it. */
    private void requireData(ByteBuffer src) {
        if (!src.hasRemaining() && type != SocketType.DGRAM) {
            throw new IllegalArgumentException("a " + type + " message with ancillary data needs at least one byte");
        }
    }

    /**
     * Sends with ancillary data through the write protocol of {@link #write(Transfer, boolean)},
     * the data attached until the first byte has gone.
     *
     * @return the number of bytes written, or -1 if nothing went (non-blocking, the socket full): an
     *         empty datagram sent and one not sent both write 0 bytes
     */
    private long sendMessage(ByteBuffer src, int[] fds, boolean credentials) throws IOException {
        requireData(src);
        Transfer.SendAncillary message = new Transfer.SendAncillary(src, fds, credentials);
        long written = write(message, src.hasRemaining());
        return message.sent() ? written : -1;
    }

    /**
     * Receives bytes (STREAM) or one message (DGRAM, SEQPACKET) into {@code dst} with one recvmsg(2),
     * together with the descriptors and credentials that came with them.
     *
     * <p>At most {@code maxDescriptors} descriptors are accepted: any others that came with the data are
     * closed at once and the result says {@link ReceivedMessage#controlTruncated()}. A pidfd that the
     * kernel attaches when someone sharing the socket has set {@code SO_PASSPIDFD} ({@code SCM_PIDFD})
     * is closed at once as well: this library hands none out. The descriptors accepted are close-on-exec
     * ({@code MSG_CMSG_CLOEXEC}; where the system lacks it, fcntl(2) right after the receive, and a child
     * that another thread forks and execs in between inherits them; one whose fcntl fails is closed and
     * counted as not accepted) and owned by the returned object, which must be closed (one dropped
     * unclosed has them closed by a cleaner once it is unreachable). A DGRAM or SEQPACKET message longer
     * than {@code dst} is {@linkplain ReceivedMessage#truncated() truncated} and its real length
     * reported. On STREAM a read ends with the bytes that carried descriptors, so the descriptors of two
     * sends never arrive in one read.
     *
     * <p>In blocking mode this waits until something arrives. Blocking, end of stream, threads and
     * exceptions are otherwise as for {@link #read(ByteBuffer)}; a STREAM receive into a buffer with no
     * space left returns a length of 0 at once.
     *
     * @param dst            the buffer to fill
     * @param maxDescriptors how many descriptors the caller accepts, from 0 to {@link #MAX_DESCRIPTORS}
     * @return what was received ({@link ReceivedMessage#length()} -1 at end of stream), or null if the
     *         channel is non-blocking and nothing was ready
     * @throws IllegalArgumentException if {@code dst} is read-only or {@code maxDescriptors} is out of
     *                                  range
     * @throws ClosedChannelException   if this channel is closed
     * @throws java.nio.channels.AsynchronousCloseException if another thread closes this channel while
     *         the read is in progress
     * @throws java.nio.channels.ClosedByInterruptException if another thread interrupts the current
     *         thread while the read is in progress; the channel is then closed and the interrupt status set
     * @throws ErrnoException           if recvmsg(2) fails
     * @throws IOException              if some other I/O error occurs
     * @see <a href="https://man7.org/linux/man-pages/man2/recvmsg.2.html">recvmsg(2)</a>
     */
    public ReceivedMessage receive(ByteBuffer dst, int maxDescriptors) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        if (maxDescriptors < 0 || maxDescriptors > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("maxDescriptors must be from 0 to " + MAX_DESCRIPTORS + ": "
                    + maxDescriptors);
        }
        Transfer.ReceiveAncillary incoming = new Transfer.ReceiveAncillary(dst, maxDescriptors);
        boolean hasSpace = dst.hasRemaining() || messageBased;
        long n;
        try {
            n = read(incoming, hasSpace);
        } catch (Throwable t) {
            // Closed or interrupted under a receive that did not complete: nobody gets them.
            closeReceived(incoming.received());
            throw t;
        }
        ControlMessages.Received received = incoming.received();
        if (received == null) {
            // No recvmsg succeeded: the end of input, nothing ready without blocking, or no call made (a
            // STREAM buffer without space).
            return n < 0 ? new ReceivedMessage(-1, false, false, new int[0], null)
                    : hasSpace ? null : new ReceivedMessage(0, false, false, new int[0], null);
        }
        if (n < 0) {
            closeReceived(received);
            return new ReceivedMessage(-1, false, false, new int[0], null);
        }
        int flags = incoming.flags();
        return new ReceivedMessage((int) n, (flags & SocketConstants.MSG_TRUNC) != 0,
                (flags & SocketConstants.MSG_CTRUNC) != 0 || received.closed() > 0, received.descriptors(),
                received.hasCredentials() ? Credentials.of(received.pid(), received.uid(), received.gid()) : null);
    }

    /**
     * Closes descriptors received that nobody will get. Runs after the read has let go of the lock and
     * the descriptor, so it must not touch the read scratch: the channel may be closed (its memory
     * freed) or another reader may be using it.
     */
    private static void closeReceived(ControlMessages.Received received) {
        if (received != null) {
            for (int fd : received.descriptors()) {
                SocketControl.close(fd);
            }
        }
    }

    /**
     * Returns the credentials of the peer's process when the socket pair was made ({@code SO_PEERCRED}),
     * as {@code getOption(UnixSocketOptions.SO_PEERCRED)} does. For a pair made in this process they are
     * this process's; for an end handed to another process they stay those of the process that made the
     * pair. Safe to call from any thread.
     *
     * @return the peer's pid, uid and gid
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if getsockopt(2) fails
     */
    public Credentials peerCredentials() throws IOException {
        int[] ids = new int[3];
        control("getsockopt", fd -> SocketControl.peerCredentials(fd, ids));
        return Credentials.of(ids[0], ids[1], ids[2]);
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
     * Returns a new descriptor of this channel's socket that the caller owns, for code that wants a
     * descriptor of its own, such as a native transport that closes what it is given: made with
     * {@code fcntl(F_DUPFD_CLOEXEC)}, the lowest free number, close-on-exec. The library neither
     * tracks nor closes it; the caller closes it, and until both it and this channel are closed the
     * socket stays open (closing this channel does not end the other's use of the socket, nor does
     * closing the duplicate end this channel's). The two share the socket's file status flags: setting
     * {@code O_NONBLOCK} through either (as {@link #configureBlocking} does) sets it for both. Safe to call
     * from any thread; does not block.
     *
     * @return the new descriptor, the caller's to close
     * @throws ClosedChannelException if this channel is closed
     * @throws ErrnoException         if fcntl(2) fails, such as {@code EMFILE} when the process has no
     *                                descriptor left
     * @throws IOException            if some other I/O error occurs
     */
    public int duplicateDescriptor() throws IOException {
        return (int) control("fcntl", SocketControl::duplicate);
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
     * Shuts down reading without closing the channel. Later reads return -1 on every type, and so does
     * a read blocked in another thread, platform or virtual; what was queued and not yet read is never
     * read. The peer's writes then fail with {@code EPIPE} on every type. Shutting down input that is
     * already shut down has no effect.
     *
     * @return this channel
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if shutdown(2) fails
     */
    @Override
    public UnixSocketChannel shutdownInput() throws IOException {
        shutdown(true);
        return this;
    }

    /**
     * Shuts down writing without closing the channel. Later writes throw
     * {@link java.nio.channels.AsynchronousCloseException}, as the JDK's socket channel does;
     * a write blocked in another thread, platform or virtual, throws
     * {@link java.nio.channels.AsynchronousCloseException} (a STREAM write may have written part of its
     * buffer: the buffer's position says how much). Reading goes on as before.
     *
     * <p>What the peer sees depends on the type. On STREAM and SEQPACKET it reads what was sent, then -1.
     * On DGRAM it sees nothing: there is no end of stream, so once it has read the datagrams already
     * sent, its blocking reads wait and its non-blocking reads return 0, as if this end had simply
     * stopped writing. Shutting down output that is already shut down has no effect.
     *
     * @return this channel
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if shutdown(2) fails
     */
    @Override
    public UnixSocketChannel shutdownOutput() throws IOException {
        shutdown(false);
        return this;
    }

    private void shutdown(boolean input) throws IOException {
        synchronized (stateLock) {
            if (input ? inputShutdown : outputShutdown) {
                ensureOpen();
                return;
            }
            // Set first: a reader or writer that the shutdown wakes must find it set, or a DGRAM reader
            // would take the wake-up for an empty datagram and a writer would report EPIPE.
            setShutdown(input, true);
            try {
                control("shutdown", input ? SocketControl::shutdownInput : SocketControl::shutdownOutput);
            } catch (IOException | RuntimeException e) {
                setShutdown(input, false);
                throw e;
            }
            // A virtual thread parked for this direction: no readiness event need come to wake it.
            descriptor.shutDown(input);
        }
    }

    private void setShutdown(boolean input, boolean shutdown) {
        if (input) {
            inputShutdown = shutdown;
        } else {
            outputShutdown = shutdown;
        }
    }

    /**
     * Holds this channel's descriptor open, as an operation in flight, until {@link #releaseHold()}: a
     * concurrent close waits for the release, so the number cannot be reused while another component
     * (a child process being started) uses it.
     *
     * @return the descriptor number, or -1 if this channel is closed (then nothing is held)
     */
    int hold() {
        return descriptor.acquire() ? fd : -1;
    }

    /** Ends a {@link #hold()}. */
    void releaseHold() {
        descriptor.release();
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
     * are woken first, and selectors take the descriptor out of their readiness sets just before it closes.
     * Called once, by {@link #close()}, which then cancels the channel's keys.
     */
    @Override
    protected void implCloseSelectableChannel() throws IOException {
        // Always with the hook, which looks for keys only once no operation can start: a registration
        // racing with this close may add a key after any check made here.
        int r = descriptor.close(new LeaveSelectors(this));
        if (r < 0) {
            throw Errors.onOwnDescriptor("close", -r);
        }
    }

    /**
     * The hook {@link #implCloseSelectableChannel} gives the descriptor: a class rather than a method
     * reference, for which the JVM would make a class at run time, in a process's first close.
     */
    private static final class LeaveSelectors implements Runnable {
        private final UnixSocketChannel channel;

        LeaveSelectors(UnixSocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void run() {
            channel.leaveSelectors();
        }
    }

    /** Takes the descriptor out of every selector's set; a channel never registered has nothing to do. */
    private void leaveSelectors() {
        List<UnixSelectionKey> keys = selectorKeys;
        if (keys != null && !keys.isEmpty()) {
            UnixSelector.channelClosing(keys);
        }
    }

    /** Records a registration with a selector, before its key can reach the selector's readiness set. */
    void addSelectorKey(UnixSelectionKey key) {
        List<UnixSelectionKey> keys = selectorKeys;
        if (keys == null) {
            synchronized (stateLock) {
                keys = selectorKeys;
                if (keys == null) {
                    keys = new CopyOnWriteArrayList<>();
                    selectorKeys = keys;
                }
            }
        }
        keys.add(key);
    }

    /** Forgets a registration that {@link #addSelectorKey} recorded. */
    void removeSelectorKey(UnixSelectionKey key) {
        List<UnixSelectionKey> keys = selectorKeys;
        if (keys != null) {
            keys.remove(key);
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
     * Always throws: the channel is connected to its peer for its whole life. The address is checked
     * first, as the JDK's UNIX-domain channels check it, so a null or non-UNIX address is reported as
     * such whatever the channel's state.
     *
     * @throws NullPointerException             if {@code remote} is null
     * @throws UnsupportedAddressTypeException  if {@code remote} is not a {@link UnixDomainSocketAddress}
     * @throws ClosedChannelException           if this channel is closed
     * @throws AlreadyConnectedException        otherwise
     */
    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
        if (!(remote instanceof UnixDomainSocketAddress)) {
            throw new UnsupportedAddressTypeException();
        }
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
     * Returns a {@link Socket} view of this end, for code written against {@code Socket}: the same object
     * on every call. Its streams read and write this channel, their reads honour
     * {@link Socket#setSoTimeout} with {@link java.net.SocketTimeoutException}, closing the socket or
     * either stream closes this channel, and its options are this channel's. A UNIX-domain end has no IP
     * address or port: see the view's methods for what it answers instead. Safe to call from any thread.
     *
     * @return the socket view of this channel
     */
    @Override
    public Socket socket() {
        Socket s = socket;
        if (s == null) {
            synchronized (stateLock) {
                s = socket;
                if (s == null) {
                    s = SocketView.of(this);
                    socket = s;
                }
            }
        }
        return s;
    }

    /** {@return whether the input has been shut down, by this channel or its {@link #socket()}} */
    boolean isInputShutdown() {
        return inputShutdown;
    }

    /** {@return whether the output has been shut down, by this channel or its {@link #socket()}} */
    boolean isOutputShutdown() {
        return outputShutdown;
    }

    /**
     * Returns this socket's name: an empty path for an unnamed socket, as every socketpair end is, or the
     * path an adopted socket is bound to. The path's bytes are decoded as the JDK decodes file names
     * ({@code sun.jnu.encoding}), so that the path names the socket's file. Safe to call from any thread.
     *
     * @return the local address, a {@link UnixDomainSocketAddress}
     * @throws ClosedChannelException    if this channel is closed
     * @throws java.net.SocketException  if the name is one no {@link UnixDomainSocketAddress} can hold: a
     *                                   Linux abstract name, or a path that is not a file name in that
     *                                   charset; the message shows the name's bytes
     * @throws IOException               if getsockname(2) fails
     */
    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return address(false);
    }

    /**
     * Returns the peer's name: an empty path for an unnamed socket, as every socketpair end is, or the
     * path the peer of an adopted socket is bound to, decoded as {@link #getLocalAddress()} decodes it.
     * Safe to call from any thread.
     *
     * @return the remote address, a {@link UnixDomainSocketAddress}
     * @throws ClosedChannelException    if this channel is closed
     * @throws java.net.SocketException  if the name is one no {@link UnixDomainSocketAddress} can hold, as
     *                                   for {@link #getLocalAddress()}
     * @throws IOException               if getpeername(2) fails
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
        String syscall = peer ? "getpeername" : "getsockname";
        if (name.errno() != 0) {
            throw Errors.onOwnDescriptor(syscall, name.errno());
        }
        return SocketAddresses.of(syscall, name.bytes());
    }

    /**
     * Sets {@link StandardSocketOptions#SO_SNDBUF}, {@link StandardSocketOptions#SO_RCVBUF},
     * {@link StandardSocketOptions#SO_LINGER} or {@link UnixSocketOptions#SO_PASSCRED}. The kernel may
     * adjust a buffer size (Linux doubles it); read it back with {@link #getOption}. {@code SO_LINGER}
     * takes the JDK's values: a negative one turns lingering off, others turn it on with that interval in
     * seconds, at most 65535 (a longer one is set to that).
     *
     * @throws UnsupportedOperationException if the option is not one of {@link #supportedOptions()}
     * @throws IllegalArgumentException      if the value is null, or a negative buffer size
     * @throws java.net.SocketException      if the option is read-only ({@link UnixSocketOptions#SO_PEERCRED},
     *                                       {@link jdk.net.ExtendedSocketOptions#SO_PEERCRED},
     *                                       {@link UnixSocketOptions#SO_TYPE}, {@link UnixSocketOptions#SO_ERROR})
     * @throws ClosedChannelException        if this channel is closed
     * @throws IOException                   if setsockopt(2) fails
     */
    @Override
    public <T> UnixSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        if (name == StandardSocketOptions.SO_LINGER) {
            if (!(value instanceof Integer seconds)) {
                throw new IllegalArgumentException("invalid value for " + name + ": " + value);
            }
            int interval = Math.min(seconds, MAX_LINGER);
            control("setsockopt", fd -> SocketControl.setLinger(fd, interval));
            return this;
        }
        if (name == UnixSocketOptions.SO_PASSCRED) {
            requirePassCredentials();
            if (!(value instanceof Boolean on)) {
                throw new IllegalArgumentException("invalid value for " + name + ": " + value);
            }
            control("setsockopt", fd -> SocketControl.setIntOption(fd, IntOption.PASS_CREDENTIALS, on ? 1 : 0));
            return this;
        }
        IntOption option = bufferOption(name);
        if (option == null) {
            if (name == UnixSocketOptions.SO_PEERCRED || name == UnixSocketOptions.SO_TYPE
                    || name == UnixSocketOptions.SO_ERROR || isJdkPeerCredentials(name)) {
                throw new java.net.SocketException("Attempt to set read only option " + name);
            }
            throw unsupported(name);
        }
        if (!(value instanceof Integer size) || size < 0) {
            throw new IllegalArgumentException("invalid value for " + name + ": " + value);
        }
        control("setsockopt", fd -> SocketControl.setIntOption(fd, option, size));
        return this;
    }

    /**
     * Reads {@link StandardSocketOptions#SO_SNDBUF}, {@link StandardSocketOptions#SO_RCVBUF},
     * {@link StandardSocketOptions#SO_LINGER}, {@link jdk.net.ExtendedSocketOptions#SO_PEERCRED} or one of
     * {@link UnixSocketOptions}. {@code SO_LINGER} is -1 while lingering is off (the default), else the
     * interval in seconds. jdk.net's {@code SO_PEERCRED} is the {@link jdk.net.UnixDomainPrincipal} of
     * the peer's user and group ids when the pair was made (the ids of {@link #peerCredentials()}), as
     * the JDK's own UNIX-domain channels give it: principals of the default file system's
     * {@link java.nio.file.attribute.UserPrincipalLookupService}, equal to the JDK's for the same ids,
     * named by the user and group databases (getpwuid_r(3), getgrgid_r(3)), or by the number where they
     * give the id no name; looking the names up may block for as long as those databases take.
     * {@link UnixSocketOptions#SO_ERROR} is null while no error is pending.
     *
     * @throws UnsupportedOperationException if the option is not one of {@link #supportedOptions()}
     * @throws ClosedChannelException        if this channel is closed
     * @throws IOException                   if getsockopt(2) fails, or the lookup of a principal
     */
    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        if (name == UnixSocketOptions.SO_PEERCRED) {
            return name.type().cast(peerCredentials());
        }
        if (name == StandardSocketOptions.SO_LINGER) {
            int[] seconds = new int[1];
            control("getsockopt", fd -> SocketControl.linger(fd, seconds));
            return name.type().cast(seconds[0]);
        }
        if (name == UnixSocketOptions.SO_PASSCRED) {
            requirePassCredentials();
            return name.type().cast(control("getsockopt", fd -> SocketControl.intOption(fd, IntOption.PASS_CREDENTIALS)) != 0);
        }
        if (name == UnixSocketOptions.SO_TYPE) {
            long value = control("getsockopt", fd -> SocketControl.intOption(fd, IntOption.TYPE));
            return name.type().cast(SocketType.of((int) value));
        }
        if (name == UnixSocketOptions.SO_ERROR) {
            int pending = (int) control("getsockopt", fd -> SocketControl.intOption(fd, IntOption.ERROR));
            return pending == 0 ? null : name.type().cast(Errors.exception("getsockopt", pending));
        }
        IntOption option = bufferOption(name);
        if (option == null) {
            if (isJdkPeerCredentials(name)) {
                return name.type().cast(PeerPrincipals.of(peerCredentials()));
            }
            throw unsupported(name);
        }
        long value = control("getsockopt", fd -> SocketControl.intOption(fd, option));
        return name.type().cast((int) value);
    }

    /**
     * Whether {@code name} is jdk.net's {@code SO_PEERCRED}; asked after every other option, so that
     * jdk.net's class is initialised only for it or for an option the channel does not support.
     */
    private static boolean isJdkPeerCredentials(SocketOption<?> name) {
        return name == ExtendedSocketOptions.SO_PEERCRED;
    }

    /** {@return the buffer size {@code name} is, or null if it is none} */
    private static IntOption bufferOption(SocketOption<?> name) {
        if (name == StandardSocketOptions.SO_SNDBUF) {
            return IntOption.SEND_BUFFER;
        }
        if (name == StandardSocketOptions.SO_RCVBUF) {
            return IntOption.RECEIVE_BUFFER;
        }
        return null;
    }

    private static UnsupportedOperationException unsupported(SocketOption<?> name) {
        return new UnsupportedOperationException("'" + name + "' not supported");
    }

    private static void requirePassCredentials() {
        if (!Options.PASS_CREDENTIALS) {
            throw new UnsupportedOperationException(
                    "'" + UnixSocketOptions.SO_PASSCRED + "' not supported: " + NO_CREDENTIALS);
        }
    }

    /**
     * {@return the options {@link #getOption} and {@link #setOption} accept}: {@code SO_SNDBUF},
     * {@code SO_RCVBUF} and {@code SO_LINGER} of {@link StandardSocketOptions}, as the JDK's UNIX-domain
     * channels have them; jdk.net's {@code SO_PEERCRED} beside the {@link UnixSocketOptions} of the same
     * name; {@link UnixSocketOptions#SO_PASSCRED} only on Linux, the one supported system whose kernel
     * attaches credentials to messages, and not in portable mode.
     */
    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SupportedOptions.ALL;
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

    // -- stream adapters

    /**
     * Returns an input stream that reads from this channel and that never holds up a writer on the
     * same channel.
     *
     * <p>{@link java.nio.channels.Channels#newInputStream} holds the channel's {@link #blockingLock()}
     * for the whole of each read, and {@link java.nio.channels.Channels#newOutputStream} needs the same
     * lock to write, so a thread blocked reading keeps every writer of those streams waiting until
     * something arrives: a request/response protocol deadlocks. This stream takes only the lock that
     * serialises this channel's reads, so one thread may block reading it while another writes to
     * {@link #newOutputStream()} (or to the channel).
     *
     * <p>Reading goes through {@link #read(ByteBuffer)}. A read blocks until at least one byte arrives
     * and returns -1 at end of stream; on DGRAM and SEQPACKET each read takes one message and discards
     * the part that does not fit, and an empty datagram, which a stream cannot return, is skipped.
     * Reading throws {@link IllegalBlockingModeException} if the channel is in non-blocking mode. A
     * thread blocked reading throws {@link java.nio.channels.AsynchronousCloseException} if another
     * thread closes the channel, and {@link java.nio.channels.ClosedByInterruptException} if it is
     * interrupted, which closes the channel and leaves its interrupt status set; both are
     * {@link IOException}s. On a closed channel reading throws {@link ClosedChannelException}.
     * {@code read(b, off, len)} checks its arguments first, then, with {@code len} 0, returns 0 at once.
     *
     * <p>{@code available()} returns what ioctl(2) {@code FIONREAD} reports queued, as the JDK's socket
     * streams do: on Linux every byte queued on STREAM and SEQPACKET (of every message queued, on
     * SEQPACKET, though a read takes one), and on DGRAM the length of the next datagram (0 for an empty
     * one, or when none is queued). It returns 0 at end of stream and once input is shut down, and
     * throws {@link ClosedChannelException} once the channel is closed. A count of 0 does not mean that a
     * read would block. Closing the stream closes the channel.
     *
     * <p>The stream has no buffer of its own and is safe for use by multiple threads: its reads
     * serialise with each other and with the channel's reads, never with writes. Each call returns a
     * new stream; all of them read the same channel.
     *
     * @return an input stream that reads from this channel
     * @see java.nio.channels.Channels#newInputStream(java.nio.channels.ReadableByteChannel)
     */
    public InputStream newInputStream() {
        return new SocketInputStream(this);
    }

    /**
     * Returns an output stream that writes to this channel and that never waits for a reader on the
     * same channel.
     *
     * <p>{@link java.nio.channels.Channels#newOutputStream} needs the channel's {@link #blockingLock()},
     * which {@link java.nio.channels.Channels#newInputStream} holds while a read is blocked; this stream
     * takes only the lock that serialises this channel's writes, so it writes while another thread is
     * blocked reading {@link #newInputStream()} (or the channel).
     *
     * <p>Writing goes through {@link #write(ByteBuffer)} and returns once every byte is written, which
     * may block until the peer has read enough; on DGRAM and SEQPACKET each {@code write} call sends one
     * message. Writing throws {@link IllegalBlockingModeException} if the channel is in non-blocking
     * mode, {@link ClosedChannelException} if the channel is closed, its subclass
     * {@link java.nio.channels.AsynchronousCloseException} if its output is shut down. A thread
     * blocked writing throws {@link java.nio.channels.AsynchronousCloseException} if another thread
     * closes the channel, and {@link java.nio.channels.ClosedByInterruptException} if it is interrupted,
     * which closes the channel and leaves its interrupt status set; some of the bytes may have been
     * written. {@code write(b, off, len)} checks its arguments first, then, with {@code len} 0, returns at
     * once. {@code flush()} does nothing: nothing is buffered. Closing the stream closes the channel.
     *
     * <p>The stream is safe for use by multiple threads: its writes serialise with each other and with
     * the channel's writes (so the bytes of one {@code write} call are never interleaved with another's),
     * never with reads. Each call returns a new stream; all of them write to the same channel.
     *
     * @return an output stream that writes to this channel
     * @see java.nio.channels.Channels#newOutputStream(java.nio.channels.WritableByteChannel)
     */
    public OutputStream newOutputStream() {
        return new SocketOutputStream(this);
    }

    /**
     * The {@code available()} of {@link #newInputStream()}, as the JDK's socket streams count: the bytes
     * queued for reading as ioctl(2) {@code FIONREAD} reports them, or 0 once input is shut down, after
     * which reads return -1 whatever is queued. Takes no lock: the count is a snapshot either way.
     *
     * @throws ClosedChannelException if this channel is closed
     * @throws IOException            if ioctl(2) fails
     */
    int available() throws IOException {
        if (inputShutdown) {
            ensureOpen();
            return 0;
        }
        return (int) control("ioctl", SocketControl::bytesQueued);
    }

    /**
     * The read of {@link #newInputStream()} and of {@link #socket()}'s input stream: {@link #read(ByteBuffer)}
     * under the read lock, which keeps a reader of the stream and a reader of the channel from
     * interleaving and lets the blocking mode be checked without the {@link #blockingLock()} that a writer
     * would also need. With {@code timeoutNanos} above 0 it waits that long at most for the first byte.
     *
     * @return the number of bytes read, at least 1, or -1 at end of stream
     * @throws SocketTimeoutException if the timeout elapsed with nothing read; the channel stays usable
     */
    int blockingRead(byte[] b, int off, int len, long timeoutNanos) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        boolean timed = timeoutNanos > 0;
        long deadline = timed ? System.nanoTime() + timeoutNanos : 0;
        ByteBuffer dst = ByteBuffer.wrap(b, off, len);
        readLock.lock();
        try {
            ensureOpen();
            for (;;) {
                // Checked before every attempt: configureBlocking waits for this lock, but publishes the
                // new mode only after releasing it, so a read that returns 0 may have run non-blocking.
                if (!isBlocking()) {
                    throw new IllegalBlockingModeException();
                }
                Transfer.Buffer transfer = Transfer.of(dst, readScratch);
                int n = (int) read(transfer, true, timed, deadline);
                if (n != 0) {
                    return n;
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * The write of {@link #newOutputStream()}: {@link #write(ByteBuffer)} under the write lock until
     * every byte is written.
     */
    void blockingWriteFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        writeLock.lock();
        try {
            ensureOpen();
            // A blocking write returns only when all is written or sent as one message; the loop is for
            // a mode change published after a write had already started (see blockingRead).
            while (src.hasRemaining()) {
                if (!isBlocking()) {
                    throw new IllegalBlockingModeException();
                }
                write(src);
            }
        } finally {
            writeLock.unlock();
        }
    }
}

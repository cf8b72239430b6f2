package dev.socketpair;

import dev.socketpair.internal.SocketConstants;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.platform.Platforms;

import java.io.Closeable;
import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A pair of connected, unnamed UNIX-domain sockets made by socketpair(2), as two
 * {@link UnixSocketChannel}s. What one end writes, the other reads.
 *
 * {@snippet :
 * try (SocketPair pair = SocketPair.open()) {
 *     UnixSocketChannel a = pair.first(), b = pair.second();
 *     a.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
 *     ByteBuffer buffer = ByteBuffer.allocate(16);
 *     b.read(buffer);                                    // 4 bytes: "ping"
 * }
 * }
 *
 * <p>The two ends are independent channels: either may be closed, shut down, configured or handed to
 * another thread on its own. Closing the pair closes both. A typical use keeps one end and passes the
 * other to a child process or another component.
 *
 * <p>The methods without flags create close-on-exec descriptors, so that no child process inherits
 * them unless asked; the methods that take flags apply exactly the flags given. socketpair(2) applies
 * them atomically where the system takes {@code SOCK_CLOEXEC} and {@code SOCK_NONBLOCK} in the type
 * (Linux, the BSDs); elsewhere (macOS, and portable mode, {@code -Ddev.socketpair.portable=true}) they
 * are set with fcntl(2) right after the call, and a child that another thread forks and execs in
 * between inherits the descriptors.
 *
 * <p>This class is safe for use by multiple threads.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/socketpair.2.html">socketpair(2)</a>
 */
public final class SocketPair implements Closeable {

    /**
     * {@code AF_UNIX}, the address family of every pair the other methods open, for
     * {@link #open(int, int, int)}: this system's value, from its headers; or -1 on a system the library
     * has no bindings for, where every open refuses before any system call.
     */
    public static final int AF_UNIX = Platforms.isSupported() ? SocketConstants.AF_UNIX : -1;

    private final UnixSocketChannel first;
    private final UnixSocketChannel second;

    private SocketPair(UnixSocketChannel first, UnixSocketChannel second) {
        this.first = first;
        this.second = second;
    }

    /**
     * Opens a blocking, close-on-exec {@link SocketType#STREAM} pair.
     *
     * @return the new pair
     * @throws ErrnoException if socketpair(2) fails, such as {@code EMFILE} when the process has no
     *                        descriptors left
     */
    public static SocketPair open() throws IOException {
        return open(SocketType.STREAM, EnumSet.of(SocketFlag.CLOEXEC));
    }

    /**
     * Opens a blocking, close-on-exec pair of the given type.
     *
     * @param type the socket type
     * @return the new pair
     * @throws ErrnoException if socketpair(2) fails
     */
    public static SocketPair open(SocketType type) throws IOException {
        return open(type, EnumSet.of(SocketFlag.CLOEXEC));
    }

    /**
     * Opens a pair of the given type with exactly the given flags, applied by socketpair(2) (atomically
     * where the system can, see above): {@code open(SEQPACKET, NONBLOCK, CLOEXEC)}.
     *
     * @param type  the socket type
     * @param flags the flags; without {@link SocketFlag#CLOEXEC} a child process inherits the descriptors
     * @return the new pair
     * @throws ErrnoException if socketpair(2) fails
     */
    public static SocketPair open(SocketType type, SocketFlag... flags) throws IOException {
        EnumSet<SocketFlag> set = EnumSet.noneOf(SocketFlag.class);
        set.addAll(Arrays.asList(flags));
        return open(type, set);
    }

    /**
     * Opens a pair of the given type with exactly the given flags.
     *
     * @param type  the socket type
     * @param flags the flags, possibly empty
     * @return the new pair
     * @throws ErrnoException if socketpair(2) fails
     */
    public static SocketPair open(SocketType type, Set<SocketFlag> flags) throws IOException {
        Objects.requireNonNull(type, "type");
        Platforms.requireSupported();
        return open(SocketConstants.AF_UNIX, type.value() | SocketFlag.bits(flags), 0);
    }

    /**
     * Calls socketpair(2) with exactly these arguments and wraps the two descriptors. Flags
     * ({@link SocketFlag#value()}) may be OR-ed into {@code type}. The channels' type is what the kernel
     * made (Linux turns an AF_UNIX {@code SOCK_RAW} into {@code SOCK_DGRAM}), read back with
     * getsockopt(2) when {@code type} is not one of {@link SocketType}'s. Where the flags are not applied
     * atomically (see above), only {@code SOCK_NONBLOCK} and {@code SOCK_CLOEXEC} are taken out of
     * {@code type} and set with fcntl(2); every other bit goes to the kernel as given.
     *
     * @param domain   the address family; {@link #AF_UNIX} is the one every platform supports
     * @param type     a {@code SOCK_*} type, with flags
     * @param protocol the protocol, 0 for the default
     * @return the new pair
     * @throws ErrnoException if socketpair(2) fails: {@code EAFNOSUPPORT} for an unknown domain,
     *                        {@code EOPNOTSUPP} for a domain without socket pairs, {@code EPROTONOSUPPORT}
     *                        for an unknown protocol, {@code ESOCKTNOSUPPORT} or {@code EINVAL} for a
     *                        bad type, {@code EMFILE} or {@code ENFILE} when out of descriptors; or
     *                        if fcntl(2) fails to set the flags where they are not atomic (both
     *                        descriptors are then closed)
     * @throws IOException    if some other I/O error occurs
     * @throws UnsupportedOperationException if the library has no bindings for this operating system,
     *                        architecture or C library (the message names it and the supported ones)
     */
    public static SocketPair open(int domain, int type, int protocol) throws IOException {
        Platforms.requireSupported();
        SocketControl.OpenedPair opened = SocketControl.openPair(domain, type, protocol);
        if (opened.failedCall() != null) {
            throw Errors.exception(opened.failedCall(), opened.errno());
        }
        int[] fds = {opened.first(), opened.second()};
        SocketType kind = SocketType.of(type & ~(SocketConstants.SOCK_NONBLOCK | SocketConstants.SOCK_CLOEXEC));
        if (kind == null) {
            try {
                kind = UnixSocketChannel.socketType(fds[0]);
            } catch (IOException | RuntimeException e) {
                SocketControl.close(fds[0]);
                SocketControl.close(fds[1]);
                throw e;
            }
        }
        boolean nonBlocking = (type & SocketConstants.SOCK_NONBLOCK) != 0;
        return new SocketPair(new UnixSocketChannel(fds[0], kind, nonBlocking),
                new UnixSocketChannel(fds[1], kind, nonBlocking));
    }

    /** {@return the first end} */
    public UnixSocketChannel first() {
        return first;
    }

    /** {@return the second end} */
    public UnixSocketChannel second() {
        return second;
    }

    /**
     * Closes both ends; an end already closed is left as it is. If closing the first end fails, the
     * second is closed all the same and the first failure is thrown.
     *
     * @throws IOException if closing either end fails
     */
    @Override
    public void close() throws IOException {
        try {
            first.close();
        } finally {
            second.close();
        }
    }

    @Override
    public String toString() {
        return "SocketPair[" + first + ", " + second + "]";
    }
}

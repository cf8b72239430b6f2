package dev.socketpair;

import java.net.SocketOption;

/**
 * Socket options of UNIX-domain sockets that {@link java.net.StandardSocketOptions} does not name, for
 * {@link UnixSocketChannel#getOption} and {@link UnixSocketChannel#setOption}. All are at level
 * {@code SOL_SOCKET}.
 *
 * <p>Read-only options are listed in {@link UnixSocketChannel#supportedOptions()}, since they can be
 * read; setting one throws {@link java.net.SocketException}, as the JDK does for its own read-only
 * options.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
 * @see <a href="https://man7.org/linux/man-pages/man7/socket.7.html">socket(7)</a>
 */
public final class UnixSocketOptions {

    /**
     * {@code SO_PEERCRED}, read-only: the credentials of the peer's process at the time the socket pair
     * was made (for a pair made in this process, this process's own).
     */
    public static final SocketOption<Credentials> SO_PEERCRED = new Option<>("SO_PEERCRED", Credentials.class);

    /**
     * {@code SO_PASSCRED}: whether messages received on this socket carry the sender's credentials,
     * which {@link UnixSocketChannel#receive} then reports. Off by default. Linux only: where the system
     * sends no credentials with messages it is not among {@link UnixSocketChannel#supportedOptions()}.
     */
    public static final SocketOption<Boolean> SO_PASSCRED = new Option<>("SO_PASSCRED", Boolean.class);

    /** {@code SO_TYPE}, read-only: the socket's type, as the kernel reports it. */
    public static final SocketOption<SocketType> SO_TYPE = new Option<>("SO_TYPE", SocketType.class);

    /**
     * {@code SO_ERROR}, read-only: the socket's pending error, as an {@link ErrnoException} whose
     * {@link ErrnoException#errno()} is the pending errno value ({@code getsockopt} is its system call),
     * or null if there is none. Reading it clears it, as in C. (Its value is not an {@code Integer}: code
     * written for the JDK's channels sets every {@code Integer} and {@code Boolean} option a channel
     * supports, and this one cannot be set.)
     */
    public static final SocketOption<ErrnoException> SO_ERROR = new Option<>("SO_ERROR", ErrnoException.class);

    private UnixSocketOptions() {
    }

    /** One option: its C name and the type of its value. */
    private record Option<T>(String name, Class<T> type) implements SocketOption<T> {
        @Override
        public String toString() {
            return name;
        }
    }
}

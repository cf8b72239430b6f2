package dev.socketpair;

import dev.socketpair.internal.Errno;

import java.io.Serial;
import java.net.SocketException;

/**
 * Thrown when a system call on a socket, or one that starts a child process, fails with an error that has
 * no more specific Java exception.
 *
 * <p>The message names the call, the errno and its description, for example
 * {@code socketpair: EOPNOTSUPP (Operation not supported)}. {@link #errno()} is the platform's number,
 * {@link #errnoName()} its symbolic name, which is the same on every platform and is what code should
 * compare. A number the C library does not define is named {@code "errno N"}. A lost connection keeps the
 * JDK's messages, which code written for the JDK's channels looks for: {@code ECONNRESET} is
 * {@code "Connection reset"} and {@code EPIPE} {@code "Broken pipe"}, with the call in {@link #syscall()}.
 *
 * <p>A closed channel is never reported with this exception: operations on a closed channel throw
 * {@link java.nio.channels.ClosedChannelException} as every JDK channel does.
 */
public class ErrnoException extends SocketException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The errno value, as the system that threw the exception numbers it. */
    private final int errno;
    /** The errno's symbolic name, kept so that a deserialising JVM on another system reads it right. */
    private final String errnoName;
    /** The name of the system call that failed. */
    private final String syscall;

    /**
     * Creates an exception for {@code syscall} failing with {@code errno}.
     *
     * @param syscall the name of the failed call, such as {@code "socketpair"}
     * @param errno   the errno value the call set
     */
    public ErrnoException(String syscall, int errno) {
        this(syscall, errno, null);
    }

    /** As {@link #ErrnoException(String, int)}, with {@code detail}, if not null, after the description. */
    ErrnoException(String syscall, int errno, String detail) {
        super(message(syscall, errno) + (detail == null ? "" : ": " + detail));
        this.errno = errno;
        this.errnoName = Errno.name(errno);
        this.syscall = syscall;
    }

    /**
     * The JDK's message for a lost connection, which code written for the JDK's channels looks for
     * ("Connection reset", "Broken pipe"); for any other errno, the call, the errno's name and the C
     * library's description of it.
     */
    private static String message(String syscall, int errno) {
        if (errno == Errno.ECONNRESET) {
            return "Connection reset";
        }
        if (errno == Errno.EPIPE) {
            return "Broken pipe";
        }
        return syscall + ": " + Errno.name(errno) + " (" + Errno.description(errno) + ")";
    }

    /** {@return the errno value, as the platform numbers it} */
    public int errno() {
        return errno;
    }

    /** {@return the symbolic name of the errno value, such as {@code "EPIPE"}} */
    public String errnoName() {
        return errnoName;
    }

    /** {@return the name of the system call that failed, such as {@code "socketpair"}} */
    public String syscall() {
        return syscall;
    }
}

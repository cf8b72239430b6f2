package dev.socketpair;

import dev.socketpair.internal.SocketConstants;

/**
 * The type of a socket pair, which decides how data is delimited.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>
 */
public enum SocketType {
    /** {@code SOCK_STREAM}: a reliable, ordered byte stream with no message boundaries. */
    STREAM,
    /**
     * {@code SOCK_DGRAM}: messages whose boundaries are kept; on a UNIX-domain pair they are reliable and
     * ordered. A message that does not fit the reader's buffer is truncated.
     */
    DGRAM,
    /**
     * {@code SOCK_SEQPACKET}: messages whose boundaries are kept, on a connection with end-of-stream
     * like {@link #STREAM}. A message that does not fit the reader's buffer is truncated.
     */
    SEQPACKET;

    /**
     * Returns the running system's {@code SOCK_*} value for this type.
     *
     * @return the type's {@code SOCK_*} constant
     * @throws UnsupportedOperationException if the library has no bindings for this system
     */
    public int value() {
        return switch (this) {
            case STREAM -> SocketConstants.SOCK_STREAM;
            case DGRAM -> SocketConstants.SOCK_DGRAM;
            case SEQPACKET -> SocketConstants.SOCK_SEQPACKET;
        };
    }

    /** Returns true if one read or write moves exactly one message. */
    boolean isMessageBased() {
        return this != STREAM;
    }

    /** Returns the type whose {@code SOCK_*} value is {@code value}, or null. */
    static SocketType of(int value) {
        for (SocketType t : values()) {
            if (t.value() == value) {
                return t;
            }
        }
        return null;
    }
}

package dev.socketpair;

import dev.socketpair.internal.SocketConstants;

import java.util.Set;

/**
 * A flag socketpair(2) applies to both new descriptors atomically, as it creates them.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>
 */
public enum SocketFlag {
    /** {@code SOCK_NONBLOCK}: the channels start in non-blocking mode ({@code O_NONBLOCK} is set). */
    NONBLOCK(SocketConstants.SOCK_NONBLOCK),
    /**
     * {@code SOCK_CLOEXEC}: the descriptors are closed in a process started by exec, so a child process
     * never inherits them by accident ({@code FD_CLOEXEC} is set).
     */
    CLOEXEC(SocketConstants.SOCK_CLOEXEC);

    private final int value;

    SocketFlag(int value) {
        this.value = value;
    }

    /** {@return the platform's value of this flag, to be OR-ed into a socket type} */
    public int value() {
        return value;
    }

    static int bits(Set<SocketFlag> flags) {
        int bits = 0;
        for (SocketFlag f : flags) {
            bits |= f.value;
        }
        return bits;
    }
}

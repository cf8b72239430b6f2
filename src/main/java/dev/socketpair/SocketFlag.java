package dev.socketpair;

import dev.socketpair.internal.SocketConstants;

import java.util.Set;

/**
 * A flag socketpair(2) applies to both new descriptors, atomically as it creates them where the system
 * takes it in the type (every supported system but macOS).
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/socket.2.html">socket(2)</a>
 */
public enum SocketFlag {
    /** {@code SOCK_NONBLOCK}: the channels start in non-blocking mode ({@code O_NONBLOCK} is set). */
    NONBLOCK,
    /**
     * {@code SOCK_CLOEXEC}: the descriptors are closed in a process started by exec, so a child process
     * never inherits them by accident ({@code FD_CLOEXEC} is set).
     */
    CLOEXEC;

    /**
     * Returns the running system's value of this flag, to be OR-ed into a socket type: its
     * {@code SOCK_*} constant, or where it has none (macOS) a bit of the library's own, which
     * {@link SocketPair#open(int, int, int)} applies with fcntl(2) after the call.
     *
     * @return the value to OR into a socket type
     * @throws UnsupportedOperationException if the library has no bindings for this system
     */
    public int value() {
        return switch (this) {
            case NONBLOCK -> SocketConstants.SOCK_NONBLOCK;
            case CLOEXEC -> SocketConstants.SOCK_CLOEXEC;
        };
    }

    static int bits(Set<SocketFlag> flags) {
        int bits = 0;
        for (SocketFlag f : flags) {
            bits |= f.value();
        }
        return bits;
    }
}

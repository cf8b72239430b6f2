package dev.socketpair;

import dev.socketpair.internal.SocketControl;

import static org.assertj.core.api.Assertions.assertThat;

/** Descriptor flags as the kernel reports them, read with fcntl(2) through the internal layer. */
final class Kernel {

    private Kernel() {
    }

    static boolean nonBlocking(UnixSocketChannel channel) {
        return nonBlocking(channel.fd());
    }

    static boolean nonBlocking(int fd) {
        return flag(SocketControl.isNonBlocking(fd), "fcntl(F_GETFL) on " + fd);
    }

    static boolean closeOnExec(UnixSocketChannel channel) {
        return closeOnExec(channel.fd());
    }

    static boolean closeOnExec(int fd) {
        return flag(SocketControl.isCloseOnExec(fd), "fcntl(F_GETFD) on " + fd);
    }

    /** The flag that {@code SocketControl} read: 1 set, 0 clear, anything else a failed call. */
    private static boolean flag(int result, String call) {
        assertThat(result).as(call).isBetween(0, 1);
        return result == 1;
    }
}

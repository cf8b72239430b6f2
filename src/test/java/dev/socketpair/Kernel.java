package dev.socketpair;

import dev.socketpair.internal.SocketControl;

import static org.assertj.core.api.Assertions.assertThat;

/** Descriptor flags as the kernel reports them, read with fcntl(2) through the internal layer. */
final class Kernel {

    private Kernel() {
    }

    static boolean nonBlocking(UnixSocketChannel channel) {
        int r = SocketControl.isNonBlocking(channel.fd());
        assertThat(r).as("fcntl(F_GETFL) on %s", channel).isGreaterThanOrEqualTo(0);
        return r == 1;
    }

    static boolean closeOnExec(UnixSocketChannel channel) {
        int r = SocketControl.isCloseOnExec(channel.fd());
        assertThat(r).as("fcntl(F_GETFD) on %s", channel).isGreaterThanOrEqualTo(0);
        return r == 1;
    }
}

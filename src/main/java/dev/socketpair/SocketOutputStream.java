package dev.socketpair;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The output stream of {@link UnixSocketChannel#newOutputStream()}: writes through the channel's write
 * lock only, so that it never waits for a reader blocked on the same channel.
 */
final class SocketOutputStream extends OutputStream {

    private final UnixSocketChannel channel;

    SocketOutputStream(UnixSocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        channel.blockingWriteFully(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        channel.blockingWriteFully(b, off, len);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

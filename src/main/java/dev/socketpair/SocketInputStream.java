package dev.socketpair;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * The input stream of {@link UnixSocketChannel#newInputStream()} and of the channel's
 * {@link UnixSocketChannel#socket()}: reads through the channel's read lock only, so that a writer on the
 * same channel never waits for a blocked reader.
 */
final class SocketInputStream extends InputStream {

    private static final LongSupplier NO_TIMEOUT = () -> 0;

    private final UnixSocketChannel channel;
    // The read timeout in nanoseconds, 0 for none, read at each read: a socket's can change at any time.
    private final LongSupplier timeoutNanos;

    SocketInputStream(UnixSocketChannel channel) {
        this(channel, NO_TIMEOUT);
    }

    SocketInputStream(UnixSocketChannel channel, LongSupplier timeoutNanos) {
        this.channel = channel;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public int read() throws IOException {
        // A new array each time: a shared one would need a lock of the stream's own.
        byte[] one = new byte[1];
        int n = channel.blockingRead(one, 0, 1, timeoutNanos.getAsLong());
        return n > 0 ? one[0] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return channel.blockingRead(b, off, len, timeoutNanos.getAsLong());
    }

    /** Returns the bytes queued for reading, as {@link UnixSocketChannel#newInputStream()} describes. */
    @Override
    public int available() throws IOException {
        return channel.available();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

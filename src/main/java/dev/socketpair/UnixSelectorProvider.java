package dev.socketpair;

import dev.socketpair.internal.platform.Platforms;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/**
 * The provider of {@link UnixSocketChannel}s and of the selectors they can be registered with. It opens
 * no channels of its own: pairs come from {@link SocketPair} and {@link UnixSocketChannel#adopt(int)}.
 * Its selectors take only its channels, and the JDK's selectors reject its channels, both with
 * {@link java.nio.channels.IllegalSelectorException}.
 */
final class UnixSelectorProvider extends SelectorProvider {

    static final UnixSelectorProvider INSTANCE = new UnixSelectorProvider();

    private UnixSelectorProvider() {
    }

    private static UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException(what + " is not provided for UNIX socket pairs");
    }

    @Override
    public DatagramChannel openDatagramChannel() {
        throw unsupported("DatagramChannel");
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) {
        // A null argument is a NullPointerException throughout java.nio.channels, before anything else.
        Objects.requireNonNull(family, "family");
        throw unsupported("DatagramChannel");
    }

    @Override
    public Pipe openPipe() {
        throw unsupported("Pipe");
    }

    /**
     * Opens a selector on epoll(7), or poll(2) where there is no epoll, for {@link UnixSocketChannel}s; see
     * {@link UnixSocketChannel#openSelector()}.
     */
    @Override
    public AbstractSelector openSelector() throws IOException {
        Platforms.requireSupported();
        return new UnixSelector(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() {
        throw unsupported("ServerSocketChannel");
    }

    @Override
    public SocketChannel openSocketChannel() {
        throw new UnsupportedOperationException(
                "open UNIX socket channels with SocketPair.open() or UnixSocketChannel.adopt(fd)");
    }
}

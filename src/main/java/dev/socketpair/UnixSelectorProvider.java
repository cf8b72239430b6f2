package dev.socketpair;

import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The provider of {@link UnixSocketChannel}s. It opens no channels and no selectors of its own: pairs
 * come from {@link SocketPair} and {@link UnixSocketChannel#adopt(int)}, and a channel cannot yet be
 * registered with a selector (the JDK's selectors reject it with
 * {@link java.nio.channels.IllegalSelectorException}).
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
        throw unsupported("DatagramChannel");
    }

    @Override
    public Pipe openPipe() {
        throw unsupported("Pipe");
    }

    @Override
    public AbstractSelector openSelector() {
        throw unsupported("a Selector");
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

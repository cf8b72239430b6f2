package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The blocking-mode and provider rules of registration: only non-blocking channels are registered, a
 * registered channel cannot go back to blocking, and this library's channels and selectors do not mix
 * with the JDK's.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelectorBlockingModeTest {

    @Test
    void registeringABlockingChannelThrowsIllegalBlockingModeException() throws Exception {
        try (SocketPair pair = SocketPair.open(); Selector selector = UnixSocketChannel.openSelector()) {
            assertThat(pair.first().isBlocking()).isTrue();
            assertThatThrownBy(() -> pair.first().register(selector, OP_READ))
                    .isInstanceOf(IllegalBlockingModeException.class);
            assertThat(pair.first().isRegistered()).isFalse();
            assertThat(selector.keys()).isEmpty();
        }
    }

    @Test
    void aChannelWithAValidKeyCannotBeMadeBlockingUntilTheKeyIsDeregistered() throws Exception {
        try (SocketPair pair = SocketPair.open(); Selector selector = UnixSocketChannel.openSelector()) {
            UnixSocketChannel channel = pair.first();
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, OP_READ);
            assertThatThrownBy(() -> channel.configureBlocking(true)).isInstanceOf(IllegalBlockingModeException.class);
            assertThat(channel.isBlocking()).isFalse();
            assertThat(Kernel.nonBlocking(channel)).as("O_NONBLOCK, read back").isTrue();

            key.cancel();
            selector.selectNow();
            channel.configureBlocking(true);
            assertThat(channel.isBlocking()).isTrue();
            assertThat(Kernel.nonBlocking(channel)).isFalse();
            assertThatThrownBy(() -> channel.register(selector, OP_READ)).isInstanceOf(IllegalBlockingModeException.class);
        }
    }

    @Test
    void closingTheSelectorDeregistersItsChannelsSoTheyCanBeMadeBlocking() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel channel = pair.first();
            channel.configureBlocking(false);
            Selector selector = UnixSocketChannel.openSelector();
            channel.register(selector, OP_READ);
            selector.close();
            assertThat(channel.isRegistered()).isFalse();
            channel.configureBlocking(true);
            assertThat(Kernel.nonBlocking(channel)).isFalse();
        }
    }

    @Test
    void registeringAUnixSocketChannelWithAJdkSelectorThrowsIllegalSelectorException() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK);
             Selector jdk = Selector.open()) {
            assertThatThrownBy(() -> pair.first().register(jdk, OP_READ)).isInstanceOf(IllegalSelectorException.class);
            assertThat(pair.first().isRegistered()).isFalse();
            assertThat(jdk.keys()).isEmpty();
        }
    }

    @Test
    void registeringAJdkChannelWithThisSelectorThrowsIllegalSelectorException() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink();
             Selector selector = UnixSocketChannel.openSelector()) {
            source.configureBlocking(false);
            assertThatThrownBy(() -> source.register(selector, OP_READ)).isInstanceOf(IllegalSelectorException.class);
            assertThat(source.isRegistered()).isFalse();
            assertThat(selector.keys()).isEmpty();
            assertThat(sink.isOpen()).isTrue();
        }
    }
}

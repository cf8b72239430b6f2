package dev.socketpair;

import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of SocketChannel's contract a socket pair end can and cannot honour. */
class SocketChannelContractTest {

    @Test
    void anEndIsConnectedWhileOpenAndNotOnceClosed() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            assertThat(end.isConnected()).isTrue();
            assertThat(end.isConnectionPending()).isFalse();
            assertThat(end.finishConnect()).isTrue();

            end.close();
            assertThat(end.isConnected()).isFalse();
            assertThat(end.isConnectionPending()).isFalse();
            assertThatThrownBy(end::finishConnect).isInstanceOf(ClosedChannelException.class);
            assertThat(pair.second().isConnected()).as("the peer is another channel").isTrue();
        }
    }

    @Test
    void toStringNamesTheDescriptorOnlyWhileItIsTheChannelsAndFollowsTheMode() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            UnixSocketChannel end = pair.first();
            assertThat(end.toString()).contains("fd=" + end.fd(), "SEQPACKET").doesNotContain("non-blocking");
            end.configureBlocking(false);
            assertThat(end.toString()).contains("non-blocking");
            end.close();
            // The number may name another file now.
            assertThat(end.toString()).contains("closed").doesNotContain("fd=");
        }
    }

    @Test
    void codeThatTakesASocketChannelWorksWithAnEnd() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            SocketChannel a = pair.first();
            SocketChannel b = pair.second();
            a.write(ByteBuffer.wrap(Bytes.ascii("as SocketChannel")));
            ByteBuffer dst = ByteBuffer.allocate(32);
            b.read(dst);
            assertThat(Bytes.ascii(dst.flip())).isEqualTo("as SocketChannel");
        }
    }

    @Test
    void namesAreUnnamedUnixAddresses() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            assertThat(pair.first().getLocalAddress()).isEqualTo(UnixDomainSocketAddress.of(""));
            assertThat(pair.first().getRemoteAddress()).isEqualTo(UnixDomainSocketAddress.of(""));
        }
    }

    @Test
    void connectAndBindAreRefused() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            assertThatThrownBy(() -> pair.first().connect(UnixDomainSocketAddress.of("/tmp/x")))
                    .isInstanceOf(AlreadyConnectedException.class);
            assertThatThrownBy(() -> pair.first().bind(null)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void connectChecksItsAddressBeforeTheChannelsState() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            InetSocketAddress inet = new InetSocketAddress(InetAddress.getLoopbackAddress(), 80);
            assertThatThrownBy(() -> end.connect(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> end.connect(inet)).isInstanceOf(UnsupportedAddressTypeException.class);

            end.close();
            assertThatThrownBy(() -> end.connect(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> end.connect(inet)).isInstanceOf(UnsupportedAddressTypeException.class);
            assertThatThrownBy(() -> end.connect(UnixDomainSocketAddress.of("/tmp/x")))
                    .isExactlyInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void bufferSizesAreReadAndSetThroughStandardOptions() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            List<SocketOption<?>> options = new ArrayList<>(List.of(StandardSocketOptions.SO_SNDBUF,
                    StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_LINGER, ExtendedSocketOptions.SO_PEERCRED,
                    UnixSocketOptions.SO_PEERCRED, UnixSocketOptions.SO_TYPE, UnixSocketOptions.SO_ERROR));
            if (CredentialsSupport.sent()) {
                options.add(UnixSocketOptions.SO_PASSCRED);
            }
            assertThat(pair.first().supportedOptions()).containsExactlyInAnyOrderElementsOf(options);
            pair.first().setOption(StandardSocketOptions.SO_SNDBUF, 50_000);
            // Linux doubles the value to leave room for its bookkeeping (socket(7)).
            assertThat(pair.first().getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(100_000);
            assertThat(pair.first().getOption(StandardSocketOptions.SO_RCVBUF)).isPositive();
            assertThatThrownBy(() -> pair.first().setOption(StandardSocketOptions.SO_RCVBUF, -1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> pair.first().getOption(StandardSocketOptions.TCP_NODELAY))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void jdkSelectorsRejectTheChannel() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK); Selector selector = Selector.open()) {
            assertThatThrownBy(() -> pair.first().register(selector, SelectionKey.OP_READ))
                    .isInstanceOf(IllegalSelectorException.class);
        }
    }
}

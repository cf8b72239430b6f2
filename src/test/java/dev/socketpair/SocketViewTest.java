package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.IllegalBlockingModeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@link java.net.Socket} view of an end: streams, read timeouts, close, shutdown, addresses, options. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketViewTest {

    /** Far longer than any test may run: a read that waits for it is one that nothing woke. */
    private static final int FOREVER_MILLIS = 600_000;

    @Test
    void socketReturnsTheSameViewEveryTimeAndItsChannelIsTheEnd() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            assertThat(pair.first().socket()).isSameAs(socket);
            assertThat(socket.getChannel()).isSameAs(pair.first());
            assertThat(pair.second().socket()).isNotSameAs(socket);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void bytesFlowBothWaysThroughTheSocketsStreams(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket first = pair.first().socket();
            Socket second = pair.second().socket();
            CompletableFuture<byte[]> echoed = Concurrently.start(virtual, () -> {
                byte[] request = second.getInputStream().readNBytes(5);
                second.getOutputStream().write(Bytes.ascii("reply:" + new String(request, "US-ASCII")));
                return request;
            });
            first.getOutputStream().write(Bytes.ascii("hello"));
            assertThat(first.getInputStream().readNBytes(11)).isEqualTo(Bytes.ascii("reply:hello"));
            assertThat(Concurrently.await(echoed)).isEqualTo(Bytes.ascii("hello"));
        }
    }

    static Stream<Arguments> typesAndThreads() {
        return Stream.of(SocketType.values())
                .flatMap(type -> Stream.of(Arguments.of(type, false), Arguments.of(type, true)));
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("typesAndThreads")
    void aReadPastTheSoTimeoutThrowsSocketTimeoutExceptionAndTheSocketStaysUsable(SocketType type, boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            Socket socket = pair.first().socket();
            socket.setSoTimeout(50);
            assertThat(socket.getSoTimeout()).isEqualTo(50);
            CompletableFuture<Integer> later = Concurrently.start(virtual, () -> {
                InputStream in = socket.getInputStream();
                assertThatThrownBy(() -> in.read(new byte[4], 0, 4))
                        .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
                pair.second().write(ByteBuffer.wrap(new byte[] {42}));
                return in.read();
            });
            assertThat(Concurrently.await(later)).isEqualTo(42);
            assertThat(pair.first().isOpen()).isTrue();
            assertThat(pair.first().isBlocking()).as("the mode is left alone").isTrue();
        }
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("typesAndThreads")
    void aReadWithATimeoutWaitsInPollOrParkedAndReturnsWhatArrives(SocketType type, boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            Socket socket = pair.first().socket();
            socket.setSoTimeout(FOREVER_MILLIS);
            InputStream in = socket.getInputStream();
            Concurrently.Started<Integer> reader = startTimedRead(virtual, in);

            pair.second().write(ByteBuffer.wrap(new byte[] {7}));
            assertThat(Concurrently.await(reader.outcome())).isEqualTo(7);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closingTheChannelUnderAReadWithATimeoutEndsItWithAsynchronousCloseException(boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            socket.setSoTimeout(FOREVER_MILLIS);
            Concurrently.Started<Integer> reader = startTimedRead(virtual, socket.getInputStream());

            socket.close();
            assertThat(Concurrently.failureOf(reader.outcome())).isInstanceOf(AsynchronousCloseException.class);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void shuttingDownTheInputUnderAReadWithATimeoutEndsItAtEndOfStream(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            socket.setSoTimeout(FOREVER_MILLIS);
            Concurrently.Started<Integer> reader = startTimedRead(virtual, socket.getInputStream());

            socket.shutdownInput();
            assertThat(Concurrently.await(reader.outcome())).isEqualTo(-1);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void interruptingAReadWithATimeoutClosesTheChannelWithClosedByInterruptException(boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            socket.setSoTimeout(FOREVER_MILLIS);
            Concurrently.Started<Integer> reader = startTimedRead(virtual, socket.getInputStream());

            reader.thread().interrupt();
            assertThat(Concurrently.failureOf(reader.outcome())).isInstanceOf(ClosedByInterruptException.class);
            assertThat(socket.isClosed()).isTrue();
        }
    }

    /**
     * Starts a read of {@code in} and returns once it waits: a platform thread in poll(2), which a timed
     * read waits in rather than in recv, a virtual thread parked on the channel's descriptor.
     */
    private static Concurrently.Started<Integer> startTimedRead(boolean virtual, InputStream in) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<Integer> outcome = Concurrently.start(virtual, () -> {
            thread.complete(Thread.currentThread());
            return in.read();
        });
        Thread reader = thread.get(10, TimeUnit.SECONDS);
        ThreadStates.await(reader, outcome, "waiting for the socket", () -> virtual
                ? ThreadStates.parkedOn(reader) instanceof dev.socketpair.internal.SocketDescriptor
                : ThreadStates.sleepingInPoll(reader));
        return new Concurrently.Started<>(reader, outcome);
    }

    @Test
    void aTimeoutOfZeroWaitsWithoutLimitAndANegativeOneIsRefused() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            socket.setSoTimeout(50);
            socket.setSoTimeout(0);
            assertThat(socket.getSoTimeout()).isZero();
            Concurrently.Started<Integer> reader = Concurrently.startBlocked(false, socket.getInputStream()::read);
            pair.second().write(ByteBuffer.wrap(new byte[] {9}));
            assertThat(Concurrently.await(reader.outcome())).isEqualTo(9);
            assertThatThrownBy(() -> socket.setSoTimeout(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theStreamsOfANonBlockingChannelThrowIllegalBlockingModeException() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            socket.setSoTimeout(50);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            pair.first().configureBlocking(false);
            assertThatThrownBy(in::read).isInstanceOf(IllegalBlockingModeException.class);
            assertThatThrownBy(() -> out.write(1)).isInstanceOf(IllegalBlockingModeException.class);
        }
    }

    @Test
    void closingTheSocketOrEitherStreamClosesTheChannel() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            socket.close();
            assertThat(pair.first().isOpen()).isFalse();
            assertThat(socket.isClosed()).isTrue();
            assertThat(socket.isConnected()).isFalse();
            assertThatThrownBy(socket::getInputStream).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            assertThatThrownBy(socket::getOutputStream).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            assertThatThrownBy(socket::getSoTimeout).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            assertThatThrownBy(socket::getSendBufferSize).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            assertThat(pair.second().read(ByteBuffer.allocate(1))).as("the peer sees the close").isEqualTo(-1);
        }
        try (SocketPair pair = SocketPair.open()) {
            pair.first().socket().getInputStream().close();
            assertThat(pair.first().isOpen()).isFalse();
            pair.second().socket().getOutputStream().close();
            assertThat(pair.second().isOpen()).isFalse();
        }
    }

    @Test
    void shutdownThroughTheSocketAndThroughTheChannelAreOne() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            assertThat(socket.isInputShutdown()).isFalse();
            assertThat(socket.isOutputShutdown()).isFalse();

            socket.shutdownOutput();
            assertThat(socket.isOutputShutdown()).isTrue();
            assertThat(pair.second().read(ByteBuffer.allocate(1))).isEqualTo(-1);
            assertThatThrownBy(() -> pair.first().write(ByteBuffer.wrap(new byte[1])))
                    .isInstanceOf(AsynchronousCloseException.class);
            assertThatThrownBy(socket::getOutputStream).isInstanceOf(SocketException.class)
                    .hasMessage("Socket output is shutdown");

            pair.first().shutdownInput();
            assertThat(socket.isInputShutdown()).isTrue();
            assertThatThrownBy(socket::getInputStream).isInstanceOf(SocketException.class)
                    .hasMessage("Socket input is shutdown");
            assertThat(socket.isClosed()).isFalse();
        }
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.first().socket().getInputStream();
            pair.first().socket().shutdownInput();
            assertThat(in.read()).isEqualTo(-1);
            pair.first().close();
            assertThatThrownBy(() -> pair.first().socket().shutdownOutput()).isInstanceOf(SocketException.class)
                    .hasMessage("Socket is closed");
        }
    }

    @Test
    void addressesAreTheChannelsAndThereIsNoIpAddressOrPort() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            assertThat(socket.getLocalSocketAddress()).isEqualTo(pair.first().getLocalAddress())
                    .isEqualTo(UnixDomainSocketAddress.of(""));
            assertThat(socket.getRemoteSocketAddress()).isEqualTo(pair.first().getRemoteAddress())
                    .isEqualTo(UnixDomainSocketAddress.of(""));
            assertThat(socket.getInetAddress()).isNull();
            assertThat(socket.getPort()).isZero();
            assertThat(socket.getLocalPort()).isEqualTo(-1);
            assertThat(socket.getLocalAddress()).isEqualTo(new InetSocketAddress(0).getAddress());
            assertThat(socket.isBound()).isTrue();
            assertThat(socket.isConnected()).isTrue();

            socket.close();
            assertThat(socket.getLocalSocketAddress()).as("as Socket says, once closed").isEqualTo(UnixDomainSocketAddress.of(""));
            assertThat(socket.getRemoteSocketAddress()).as("as Socket says, once closed").isEqualTo(UnixDomainSocketAddress.of(""));
            assertThat(pair.first().socket()).as("the same view").isSameAs(socket);
        }
        try (SocketPair pair = SocketPair.open()) {
            pair.first().close();
            Socket madeClosed = pair.first().socket();
            assertThat(madeClosed.getLocalSocketAddress()).as("a view made once closed").isNull();
            assertThat(madeClosed.getRemoteSocketAddress()).as("a view made once closed").isNull();
        }
    }

    @Test
    void connectAndBindFailAsOnAConnectedSocket() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            UnixDomainSocketAddress elsewhere = UnixDomainSocketAddress.of("/tmp/elsewhere");
            assertThatThrownBy(() -> socket.connect(elsewhere)).isInstanceOf(SocketException.class)
                    .hasMessage("Already connected");
            assertThatThrownBy(() -> socket.connect(elsewhere, 10)).isInstanceOf(SocketException.class)
                    .hasMessage("Already connected");
            assertThatThrownBy(() -> socket.connect(null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> socket.bind(elsewhere)).isInstanceOf(SocketException.class)
                    .hasMessage("Already bound");
            socket.close();
            assertThatThrownBy(() -> socket.connect(elsewhere)).isInstanceOf(SocketException.class)
                    .hasMessage("Socket is closed");
        }
    }

    @Test
    void connectToAnAddressOfAnotherFamilyIsAnUnsupportedAddressTypeOpenOrClosed() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            InetSocketAddress inet = new InetSocketAddress(InetAddress.getLoopbackAddress(), 80);
            assertThatThrownBy(() -> socket.connect(inet)).isInstanceOf(SocketException.class)
                    .hasMessage("Unsupported address type");
            socket.close();
            assertThatThrownBy(() -> socket.connect(inet, 10)).isInstanceOf(SocketException.class)
                    .hasMessage("Unsupported address type");
        }
    }

    @Test
    void bufferSizesAndLingerAreTheChannelsOptions() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Socket socket = pair.first().socket();
            socket.setSendBufferSize(32 * 1024);
            assertThat(socket.getSendBufferSize()).isEqualTo(pair.first().getOption(StandardSocketOptions.SO_SNDBUF))
                    .isGreaterThanOrEqualTo(32 * 1024);
            socket.setReceiveBufferSize(48 * 1024);
            assertThat(socket.getReceiveBufferSize()).isEqualTo(pair.first().getOption(StandardSocketOptions.SO_RCVBUF))
                    .isGreaterThanOrEqualTo(48 * 1024);
            assertThatThrownBy(() -> socket.setSendBufferSize(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> socket.setReceiveBufferSize(-1)).isInstanceOf(IllegalArgumentException.class);

            assertThat(socket.getSoLinger()).isEqualTo(-1);
            socket.setSoLinger(true, 5);
            assertThat(socket.getSoLinger()).isEqualTo(5);
            assertThat(pair.first().getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(5);
            socket.setSoLinger(false, 5);
            assertThat(socket.getSoLinger()).isEqualTo(-1);

            socket.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            assertThat(socket.getOption(StandardSocketOptions.SO_SNDBUF))
                    .isEqualTo(pair.first().getOption(StandardSocketOptions.SO_SNDBUF));
            assertThat(socket.supportedOptions()).isEqualTo(pair.first().supportedOptions());
        }
    }

    @Test
    void optionsOfTcpAndIpFailAsOnTheJdksUnixDomainChannels() throws Exception {
        try (SocketPair pair = SocketPair.open(); JdkUnixPair jdk = JdkUnixPair.open()) {
            Socket socket = pair.first().socket();
            assertThatThrownBy(() -> socket.setTcpNoDelay(true))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(jdkRefusal(jdk, StandardSocketOptions.TCP_NODELAY, true));
            assertThatThrownBy(socket::getTcpNoDelay).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> socket.setKeepAlive(true))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(jdkRefusal(jdk, StandardSocketOptions.SO_KEEPALIVE, true));
            assertThatThrownBy(socket::getKeepAlive).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> socket.setReuseAddress(true))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(jdkRefusal(jdk, StandardSocketOptions.SO_REUSEADDR, true));
            assertThatThrownBy(() -> socket.setTrafficClass(4))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(jdkRefusal(jdk, StandardSocketOptions.IP_TOS, 4));
            assertThatThrownBy(() -> socket.setOOBInline(true)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> socket.sendUrgentData(1)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    /** {@return the message of the JDK's UNIX-domain channel refusing {@code option}} */
    private static <T> String jdkRefusal(JdkUnixPair jdk, SocketOption<T> option, T value) throws Exception {
        try {
            jdk.client().setOption(option, value);
        } catch (UnsupportedOperationException e) {
            return e.getMessage();
        }
        throw new AssertionError("the JDK's channel accepted " + option);
    }
}

package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A batch blocked in receiveMessages or sendMessages, on a platform or a virtual thread, ended by a close,
 * an interrupt or a shutdown of its direction: the exceptions and channel state of the single calls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageBatchCloseTest {

    private static final int MESSAGE = 1000;

    /** A batch that blocks: a receive with nothing queued, or a send to a socket that is full. */
    enum Batch {
        RECEIVE, SEND;

        /** The end of {@code pair} whose batch blocks, made ready to block. */
        UnixSocketChannel blockingEnd(SocketPair pair) throws IOException {
            if (this == RECEIVE) {
                return pair.second();
            }
            fill(pair.first());
            return pair.first();
        }

        int run(UnixSocketChannel channel) throws IOException {
            return this == RECEIVE ? channel.receiveMessages(MessageBatchTest.buffers(4, 16))
                    : channel.sendMessages(messages(3));
        }
    }

    static Stream<Arguments> blockedBatches() {
        return MessageBatchTest.messageTypesAndThreads().flatMap(arguments -> Stream.of(Batch.values())
                .map(batch -> Arguments.of(arguments.get()[0], arguments.get()[1], batch)));
    }

    @ParameterizedTest(name = "{0} virtual={1} {2}")
    @MethodSource("blockedBatches")
    void closeWakesABlockedBatchWithAsynchronousCloseException(SocketType type, boolean virtual, Batch batch)
            throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel end = batch.blockingEnd(pair);
            int fd = end.fd();
            var blocked = Concurrently.startBlocked(virtual, end, () -> batch.run(end));

            end.close();

            assertThat(Concurrently.failureOf(blocked.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(ProcFd.target(fd)).as("closed for real once the batch left").isNull();
        }
    }

    @ParameterizedTest(name = "{0} virtual={1} {2}")
    @MethodSource("blockedBatches")
    void interruptingABlockedBatchClosesTheChannelAndKeepsTheStatus(SocketType type, boolean virtual, Batch batch)
            throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel end = batch.blockingEnd(pair);
            var blocked = Concurrently.startBlocked(virtual, end,
                    () -> Concurrently.interruptOutcome(() -> batch.run(end), "completed"));

            blocked.thread().interrupt();

            assertThat(Concurrently.await(blocked.outcome())).isEqualTo("interrupted");
            assertThat(end.isOpen()).isFalse();
            assertThat((end == pair.first() ? pair.second() : pair.first()).isOpen()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("dev.socketpair.MessageBatchTest#messageTypesAndThreads")
    void shutdownInputMakesABlockedBatchReceiveReturnMinusOne(SocketType type, boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel b = pair.second();
            ByteBuffer[] buffers = MessageBatchTest.buffers(4, 16);
            var receiver = Concurrently.startBlocked(virtual, b, () -> b.receiveMessages(buffers));

            b.shutdownInput();

            assertThat(Concurrently.await(receiver.outcome())).isEqualTo(-1);
            assertThat(buffers[0].position()).isZero();
            assertThat(b.isOpen()).isTrue();
            assertThat(b.receiveMessages(buffers)).as("a later batch").isEqualTo(-1);
        }
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("dev.socketpair.MessageBatchTest#messageTypesAndThreads")
    void shutdownOutputMakesABlockedBatchSendThrowAsynchronousCloseExceptionAndLeavesTheChannelOpen(
            SocketType type, boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = pair.first();
            fill(a);
            var sender = Concurrently.startBlocked(virtual, a, () -> a.sendMessages(messages(3)));

            a.shutdownOutput();

            assertThat(Concurrently.failureOf(sender.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(a.isOpen()).isTrue();
            assertThat(catchThrowable(() -> a.sendMessages(messages(1)))).as("a later batch")
                    .isExactlyInstanceOf(AsynchronousCloseException.class);
        }
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("dev.socketpair.MessageBatchTest#messageTypesAndThreads")
    void aBlockedBatchSendGoesOnAsThePeerMakesRoomAndReturnsOnceAllHaveGone(SocketType type, boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = pair.first(), b = pair.second();
            int filled = fill(a);
            ByteBuffer[] messages = messages(50);
            var sender = Concurrently.startBlocked(virtual, a, () -> a.sendMessages(messages));

            int received = 0;
            ByteBuffer[] buffers = MessageBatchTest.buffers(64, MESSAGE);
            while (received < filled + messages.length) {
                int n = b.receiveMessages(buffers);
                received += n;
                for (int i = 0; i < n; i++) {
                    buffers[i].clear();
                }
            }
            assertThat(Concurrently.await(sender.outcome())).isEqualTo(messages.length);
            for (ByteBuffer m : messages) {
                assertThat(m.hasRemaining()).isFalse();
            }
        }
    }

    /** Sends messages without blocking until the socket is full; returns how many. */
    private static int fill(UnixSocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        int sent = 0;
        for (int n; (n = channel.sendMessages(messages(64))) > 0; ) {
            sent += n;
        }
        channel.configureBlocking(true);
        return sent;
    }

    private static ByteBuffer[] messages(int count) {
        ByteBuffer[] messages = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            messages[i] = i % 2 == 0 ? ByteBuffer.allocate(MESSAGE) : ByteBuffer.allocateDirect(MESSAGE);
        }
        return messages;
    }
}

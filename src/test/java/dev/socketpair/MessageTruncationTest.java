package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A message longer than the receive buffer reports its real length (MSG_TRUNC), so it can be sized. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageTruncationTest {

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aTruncatedMessageReportsItsRealLengthAndKeepsWhatFitted(SocketType type) throws Exception {
        byte[] message = Bytes.random(new Random(1), 100);
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().write(ByteBuffer.wrap(message));
            pair.first().write(ByteBuffer.wrap(message, 0, 10));
            ByteBuffer small = ByteBuffer.allocate(10);
            try (ReceivedMessage received = pair.second().receive(small, 0)) {
                assertThat(received.length()).isEqualTo(100);
                assertThat(received.truncated()).isTrue();
                assertThat(received.controlTruncated()).isFalse();
            }
            assertThat(small.position()).isEqualTo(10);
            assertThat(small.array()).isEqualTo(java.util.Arrays.copyOf(message, 10));
            // The rest of that message is gone; the next one fits exactly and is whole.
            ByteBuffer exact = ByteBuffer.allocateDirect(10);
            try (ReceivedMessage received = pair.second().receive(exact, 0)) {
                assertThat(received.length()).isEqualTo(10);
                assertThat(received.truncated()).isFalse();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aReceiveWithNoRoomStillReportsTheLength(SocketType type) throws Exception {
        Emulation.assumeNative(Emulation.RECVMSG_WITHOUT_IOVEC);
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().write(ByteBuffer.wrap(new byte[37]));
            try (ReceivedMessage received = pair.second().receive(ByteBuffer.allocate(0), 0)) {
                assertThat(received.length()).isEqualTo(37);
                assertThat(received.truncated()).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aMessageLargerThanTheKeptBounceBufferIsReceivedWholeIntoAHeapBuffer(SocketType type) throws Exception {
        byte[] message = Bytes.random(new Random(2), 300 * 1024);
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1 << 20);
            pair.second().setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
            ByteBuffer all = ByteBuffer.allocate(message.length);
            // The receive waits on its own thread, so that a send that fails fails the test at once: closing
            // the pair then ends the receive. A plain write, as the receive under test is the same for every
            // send (a receiver without SO_PASSCRED gets no credentials, sent or not).
            var receiving = Concurrently.start(false, () -> {
                try (ReceivedMessage received = pair.second().receive(all, 0)) {
                    return received;
                }
            });
            assertThat(pair.first().write(ByteBuffer.wrap(message))).isEqualTo(message.length);
            ReceivedMessage received = Concurrently.await(receiving);
            assertThat(received.length()).isEqualTo(message.length);
            assertThat(received.truncated()).isFalse();
            assertThat(all.array()).isEqualTo(message);
        }
    }
}

package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code available()} of the channel's input stream: what ioctl(2) {@code FIONREAD} reports queued, as
 * the JDK's own socket streams answer, and what Linux counts for each socket type.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamAvailableTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 64 * 1024})
    void availableIsTheNumberOfBytesWrittenAndNotYetRead(int size) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.second().newInputStream();
            pair.first().write(ByteBuffer.wrap(new byte[size]));
            assertThat(in.available()).isEqualTo(size);
        }
    }

    @Test
    void availableCountsEveryWriteQueuedAndWhatPartialReadsLeave() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.second().newInputStream();
            assertThat(in.available()).as("nothing queued").isZero();
            for (int size : new int[] {1, 100, 64 * 1024}) {
                pair.first().write(ByteBuffer.wrap(new byte[size]));
            }
            assertThat(in.available()).isEqualTo(1 + 100 + 64 * 1024);
            assertThat(in.readNBytes(30)).hasSize(30);
            assertThat(in.available()).isEqualTo(1 + 100 + 64 * 1024 - 30);
            assertThat(in.read()).isNotNegative();
            assertThat(in.available()).isEqualTo(1 + 100 + 64 * 1024 - 31);
            assertThat(in.readNBytes(1 + 100 + 64 * 1024 - 31)).hasSize(1 + 100 + 64 * 1024 - 31);
            assertThat(in.available()).as("everything read").isZero();
        }
    }

    @Test
    void availableIsWhatIsLeftAfterThePeerShutsDownOutputThenZeroAtEndOfStream() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.second().newInputStream();
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("last")));
            pair.first().shutdownOutput();
            assertThat(in.available()).isEqualTo(4);
            assertThat(in.readNBytes(4)).isEqualTo(Bytes.ascii("last"));
            assertThat(in.available()).isZero();
            assertThat(in.read()).isEqualTo(-1);
            pair.first().close();
            assertThat(in.available()).as("the peer closed").isZero();
        }
    }

    /** As the JDK's socket streams: input shut down reads -1, so nothing counts as available. */
    @Test
    void availableIsZeroOnceInputIsShutDownWhateverIsQueued() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.second().newInputStream();
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("queued")));
            pair.second().shutdownInput();
            assertThat(in.available()).isZero();
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void availableOfAClosedStreamThrowsClosedChannelExceptionAsTheJdksSocketStreamDoes() throws Exception {
        try (SocketPair pair = SocketPair.open(); JdkUnixPair jdk = JdkUnixPair.open()) {
            InputStream in = pair.second().newInputStream();
            InputStream jdkIn = Channels.newInputStream(jdk.accepted());
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("queued")));
            jdk.client().write(ByteBuffer.wrap(Bytes.ascii("queued")));
            assertThat(in.available()).isEqualTo(jdkIn.available()).isEqualTo(6);

            in.close();
            jdkIn.close();
            assertThatThrownBy(in::available).isExactlyInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(jdkIn::available).as("the JDK's").isExactlyInstanceOf(ClosedChannelException.class);
        }
    }

    /**
     * What Linux counts on the message types: on DGRAM the length of the first datagram queued, not of
     * all of them (so 0 for an empty datagram, though a read would not block); on SEQPACKET every byte of
     * every message queued, as on STREAM, though one read takes one message.
     */
    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void availableOfMessagesIsTheFirstDatagramOrEveryQueuedByte(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            InputStream in = pair.second().newInputStream();
            assertThat(in.available()).isZero();
            pair.first().write(ByteBuffer.wrap(new byte[3]));
            pair.first().write(ByteBuffer.wrap(new byte[5]));
            assertThat(in.available()).isEqualTo(type == SocketType.DGRAM ? 3 : 3 + 5);
            assertThat(in.read(new byte[16])).isEqualTo(3);
            assertThat(in.available()).isEqualTo(5);
            assertThat(in.read(new byte[2])).as("a read of part of a message discards the rest").isEqualTo(2);
            assertThat(in.available()).isZero();
            if (type == SocketType.DGRAM) {
                pair.first().write(ByteBuffer.allocate(0));
                pair.first().write(ByteBuffer.wrap(new byte[7]));
                assertThat(in.available()).as("an empty datagram first").isZero();
            }
        }
    }
}

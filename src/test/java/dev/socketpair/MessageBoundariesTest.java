package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** DGRAM and SEQPACKET: one write is one message, one read is one message, excess is discarded. */
class MessageBoundariesTest {

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void eachReadReturnsExactlyOneMessage(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            for (String m : new String[] {"one", "three", "x"}) {
                assertThat(pair.first().write(ByteBuffer.wrap(Bytes.ascii(m)))).isEqualTo(m.length());
            }
            for (String m : new String[] {"one", "three", "x"}) {
                ByteBuffer dst = ByteBuffer.allocate(100);
                assertThat(pair.second().read(dst)).isEqualTo(m.length());
                assertThat(Bytes.ascii(dst.flip())).isEqualTo(m);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aMessageLargerThanTheBufferIsTruncatedAndTheRestDiscarded(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("0123456789abcdef")));
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("next")));
            ByteBuffer small = ByteBuffer.allocateDirect(4);
            assertThat(pair.second().read(small)).isEqualTo(4);
            assertThat(Bytes.ascii(small.flip())).isEqualTo("0123");
            byte[] heap = new byte[10];
            assertThat(pair.second().read(MemorySegment.ofArray(heap))).isEqualTo(4);
            assertThat(new String(heap, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("next");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void gatheringWriteSendsOneMessageAndScatteringReadReceivesOne(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            ByteBuffer[] parts = {ByteBuffer.wrap(Bytes.ascii("ab")), ByteBuffer.allocateDirect(3).put(Bytes.ascii("cde")).flip(),
                    ByteBuffer.wrap(Bytes.ascii("f"))};
            assertThat(pair.first().write(parts)).isEqualTo(6);
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("second")));

            ByteBuffer[] into = {ByteBuffer.allocateDirect(4), ByteBuffer.allocate(4)};
            assertThat(pair.second().read(into)).isEqualTo(6);
            assertThat(Bytes.ascii(into[0].flip())).isEqualTo("abcd");
            assertThat(Bytes.ascii(into[1].flip())).isEqualTo("ef");

            ByteBuffer[] tooSmall = {ByteBuffer.allocate(2), ByteBuffer.allocateDirect(1)};
            assertThat(pair.second().read(tooSmall)).isEqualTo(3);
            assertThat(Bytes.ascii(tooSmall[0].flip()) + Bytes.ascii(tooSmall[1].flip())).isEqualTo("sec");
        }
    }

    @Test
    void seqpacketReadsMinusOneAfterPeerCloses() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("bye")));
            pair.first().close();
            assertThat(pair.second().read(ByteBuffer.allocate(10))).isEqualTo(3);
            assertThat(pair.second().read(ByteBuffer.allocate(10))).isEqualTo(-1);
        }
    }

    @Test
    void seqpacketReadsMinusOneAfterPeerShutsDownOutput() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            pair.first().shutdownOutput();
            assertThat(pair.second().read(ByteBuffer.allocate(4))).isEqualTo(-1);
        }
    }

    @Test
    void emptyWriteOnSeqpacketSendsNothing() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET, SocketFlag.NONBLOCK)) {
            assertThat(pair.first().write(ByteBuffer.allocate(0))).isZero();
            assertThat(pair.second().read(ByteBuffer.allocate(4))).as("nothing queued").isZero();
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("x")));
            assertThat(pair.second().read(ByteBuffer.allocate(4))).isEqualTo(1);
        }
    }

    @Test
    void emptyDatagramIsSentAndReadAsZeroBytes() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
            assertThat(pair.first().write(ByteBuffer.allocate(0))).isZero();
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("after")));
            assertThat(pair.second().read(ByteBuffer.allocate(8))).as("the empty datagram").isZero();
            ByteBuffer dst = ByteBuffer.allocate(8);
            assertThat(pair.second().read(dst)).isEqualTo(5);
        }
    }

    @Test
    void datagramToAClosedPeerIsConnectionRefused() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
            pair.second().close();
            ErrnoException e = catchThrowableOfType(ErrnoException.class,
                    () -> pair.first().write(ByteBuffer.wrap(new byte[] {1})));
            assertThat(e.errnoName()).isEqualTo("ECONNREFUSED");
        }
    }

    @Test
    void nonBlockingDatagramSendToAFullPeerReturnsZero() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM, SocketFlag.NONBLOCK)) {
            ByteBuffer message = ByteBuffer.allocate(1000);
            int sent = 0;
            while (pair.first().write(message.clear()) == 1000) {
                sent++;
                assertThat(sent).isLessThan(1_000_000);
            }
            assertThat(message.position()).as("a message is sent whole or not at all").isZero();
            assertThat(sent).isPositive();
        }
    }

    @Test
    void messageLargerThanTheSendBufferFailsWithEmsgsize() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            int sendBuffer = pair.first().getOption(StandardSocketOptions.SO_SNDBUF);
            ErrnoException e = catchThrowableOfType(ErrnoException.class,
                    () -> pair.first().write(ByteBuffer.allocateDirect(sendBuffer + 1)));
            assertThat(e.errnoName()).isEqualTo("EMSGSIZE");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void heapMessagesLargerThanTheCachedBounceBufferTravelWhole(SocketType type) throws Exception {
        int size = 300_000;
        byte[] data = Bytes.random(new Random(7), size);
        try (SocketPair pair = SocketPair.open(type); Arena arena = Arena.ofConfined()) {
            pair.first().setOption(StandardSocketOptions.SO_SNDBUF, 4 * size);
            CompletableFutureWrite writer = new CompletableFutureWrite(pair.first(), data);
            byte[] received = new byte[size + 10];
            long n = pair.second().read(MemorySegment.ofArray(received));
            writer.await();
            assertThat(n).isEqualTo(size);
            assertThat(Bytes.sha256(java.util.Arrays.copyOf(received, size))).isEqualTo(Bytes.sha256(data));

            // And gathered from several heap buffers into one message, read into native memory.
            ByteBuffer[] parts = {ByteBuffer.wrap(data, 0, 100_000), ByteBuffer.wrap(data, 100_000, size - 100_000)};
            writer = new CompletableFutureWrite(pair.first(), parts);
            MemorySegment into = arena.allocate(size);
            assertThat(pair.second().read(into)).isEqualTo(size);
            writer.await();
            assertThat(Bytes.sha256(into.toArray(ValueLayout.JAVA_BYTE))).isEqualTo(Bytes.sha256(data));
        }
    }

    /** A write on another thread, since a message this large may wait for the reader. */
    private static final class CompletableFutureWrite {
        private final java.util.concurrent.CompletableFuture<Long> outcome;

        CompletableFutureWrite(UnixSocketChannel channel, byte[] data) {
            outcome = Concurrently.start(false, () -> (long) channel.write(ByteBuffer.wrap(data)));
        }

        CompletableFutureWrite(UnixSocketChannel channel, ByteBuffer[] parts) {
            outcome = Concurrently.start(false, () -> channel.write(parts));
        }

        void await() throws Exception {
            assertThat(Concurrently.await(outcome)).isEqualTo(300_000L);
        }
    }
}

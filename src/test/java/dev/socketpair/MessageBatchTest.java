package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * sendMessages and receiveMessages: one message per buffer, many per call, with the boundaries, counts,
 * waiting and end of stream of the single-message calls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageBatchTest {

    static Stream<Arguments> messageTypesAndThreads() {
        return Stream.of(SocketType.DGRAM, SocketType.SEQPACKET)
                .flatMap(type -> Stream.of(Arguments.of(type, false), Arguments.of(type, true)));
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("messageTypesAndThreads")
    void eachBufferIsOneMessageWithItsOwnBytesWhateverItsMemory(SocketType type, boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            Concurrently.await(Concurrently.start(virtual, () -> {
                try (Arena arena = Arena.ofConfined()) {
                    Random random = new Random(7);
                    List<byte[]> sent = new ArrayList<>(List.of(Bytes.random(random, 1), Bytes.random(random, 100),
                            Bytes.random(random, 7), Bytes.random(random, 33), Bytes.random(random, 5),
                            Bytes.random(random, 4000)));
                    ByteBuffer sliced = ByteBuffer.wrap(new byte[12], 3, 5).put(sent.get(4)).position(3);
                    List<ByteBuffer> sources = new ArrayList<>(List.of(
                            ByteBuffer.wrap(sent.get(0)),
                            ByteBuffer.allocateDirect(100).put(sent.get(1)).flip(),
                            ByteBuffer.wrap(sent.get(2)).asReadOnlyBuffer(),
                            arena.allocate(33).asByteBuffer().put(sent.get(3)).flip(),
                            sliced,
                            ByteBuffer.allocateDirect(4000).put(sent.get(5)).flip().asReadOnlyBuffer()));
                    if (type == SocketType.DGRAM) {
                        sent.add(3, new byte[0]);
                        sources.add(3, ByteBuffer.allocate(0));
                    }
                    ByteBuffer[] messages = sources.toArray(ByteBuffer[]::new);

                    assertThat(pair.first().sendMessages(messages)).isEqualTo(messages.length);
                    for (ByteBuffer m : messages) {
                        assertThat(m.hasRemaining()).as("sent whole: %s", m).isFalse();
                    }

                    ByteBuffer[] buffers = new ByteBuffer[messages.length + 2];
                    for (int i = 0; i < buffers.length; i++) {
                        ByteBuffer b = switch (i % 3) {
                            case 0 -> ByteBuffer.allocate(4096);
                            case 1 -> ByteBuffer.allocateDirect(4096);
                            default -> arena.allocate(4096).asByteBuffer();
                        };
                        buffers[i] = b.position(i % 2);
                    }
                    assertThat(pair.second().receiveMessages(buffers)).isEqualTo(messages.length);
                    for (int i = 0; i < buffers.length; i++) {
                        byte[] expected = i < sent.size() ? sent.get(i) : new byte[0];
                        assertThat(buffers[i].position()).as("buffer %d", i).isEqualTo(i % 2 + expected.length);
                        assertThat(bytes(buffers[i].flip().position(i % 2))).as("buffer %d", i).isEqualTo(expected);
                    }
                }
                return null;
            }));
        }
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("messageTypesAndThreads")
    void aBlockingReceiveTakesWhatIsQueuedAndDoesNotWaitForMore(SocketType type, boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            for (int i = 1; i <= 3; i++) {
                pair.first().write(ByteBuffer.wrap(new byte[] {(byte) i}));
            }
            ByteBuffer[] buffers = buffers(8, 16);
            int n = Concurrently.await(Concurrently.start(virtual, () -> pair.second().receiveMessages(buffers)));

            assertThat(n).isEqualTo(3);
            for (int i = 0; i < 8; i++) {
                assertThat(buffers[i].position()).as("buffer %d", i).isEqualTo(i < 3 ? 1 : 0);
            }
            assertThat(buffers[2].get(0)).isEqualTo((byte) 3);
        }
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("messageTypesAndThreads")
    void aBlockingReceiveWaitsForTheFirstMessage(SocketType type, boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            ByteBuffer[] buffers = buffers(4, 16);
            var receiver = Concurrently.startBlocked(virtual, pair.second(),
                    () -> pair.second().receiveMessages(buffers));

            pair.first().write(ByteBuffer.wrap(Bytes.ascii("first")));

            assertThat(Concurrently.await(receiver.outcome())).isEqualTo(1);
            assertThat(Bytes.ascii(buffers[0].flip())).isEqualTo("first");
            assertThat(buffers[1].position()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aNonBlockingReceiveOfNothingQueuedReturnsZero(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type, SocketFlag.NONBLOCK)) {
            ByteBuffer[] buffers = buffers(4, 16);
            assertThat(pair.second().receiveMessages(buffers)).isZero();
            assertThat(buffers[0].position()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aNonBlockingSendStopsWhereTheSocketIsFullAndTheRestGoesLaterInOrder(SocketType type) throws Exception {
        int count = 2000;
        try (SocketPair pair = SocketPair.open(type, SocketFlag.NONBLOCK)) {
            ByteBuffer[] messages = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                messages[i] = (i % 2 == 0 ? ByteBuffer.allocate(1000) : ByteBuffer.allocateDirect(1000)).putInt(i)
                        .position(0);
            }
            int sent = pair.first().sendMessages(messages);
            assertThat(sent).as("the socket holds some, not all").isPositive().isLessThan(count);
            for (int i = 0; i < count; i++) {
                assertThat(messages[i].position()).as("message %d", i).isEqualTo(i < sent ? 1000 : 0);
            }
            assertThat(pair.first().sendMessages(messages, sent, count - sent)).as("still full").isZero();

            ByteBuffer[] buffers = buffers(300, 1000);
            int received = 0;
            while (received < count) {
                if (sent < count) {
                    sent += pair.first().sendMessages(messages, sent, count - sent);
                }
                int n = pair.second().receiveMessages(buffers);
                for (int i = 0; i < n; i++) {
                    assertThat(buffers[i].position()).isEqualTo(1000);
                    assertThat(buffers[i].getInt(0)).as("message %d", received).isEqualTo(received);
                    received++;
                    buffers[i].clear();
                }
            }
            assertThat(sent).isEqualTo(count);
            assertThat(pair.second().receiveMessages(buffers)).isZero();
        }
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("messageTypesAndThreads")
    void aBatchOfMoreMessagesThanOneCallTakesGoesWholeAndInOrder(SocketType type, boolean virtual) throws Exception {
        int count = 3000;
        try (SocketPair pair = SocketPair.open(type)) {
            ByteBuffer[] messages = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                messages[i] = (i % 3 == 0 ? ByteBuffer.allocate(4) : ByteBuffer.allocateDirect(4)).putInt(0, i);
            }
            var sender = Concurrently.start(virtual, () -> pair.first().sendMessages(messages));
            ByteBuffer[] buffers = buffers(count, 8);
            int received = 0;
            while (received < count) {
                int n = pair.second().receiveMessages(buffers, received, count - received);
                assertThat(n).isPositive();
                received += n;
            }
            assertThat(Concurrently.await(sender)).isEqualTo(count);
            for (int i = 0; i < count; i++) {
                assertThat(buffers[i].position()).isEqualTo(4);
                assertThat(buffers[i].getInt(0)).isEqualTo(i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void heapBuffersTooLargeToCopyTogetherAreReceivedInSeveralCallsOfOneBatch(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            for (int i = 0; i < 5; i++) {
                pair.first().write(ByteBuffer.allocate(1000).putInt(0, i));
            }
            // 100 KiB of space each: two are copied per call at most.
            ByteBuffer[] buffers = buffers(6, 100 * 1024);
            assertThat(pair.second().receiveMessages(buffers)).isEqualTo(5);
            for (int i = 0; i < 5; i++) {
                assertThat(buffers[i].position()).isEqualTo(1000);
                assertThat(buffers[i].getInt(0)).isEqualTo(i);
            }
            assertThat(buffers[5].position()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aMessageLongerThanItsBufferKeepsWhatFitsAndLosesTheRestAsReadDoes(SocketType type) throws Exception {
        byte[] longer = Bytes.random(new Random(3), 100);
        try (SocketPair pair = SocketPair.open(type)) {
            for (int round = 0; round < 2; round++) {
                pair.first().sendMessages(ByteBuffer.wrap(longer), ByteBuffer.wrap(Bytes.ascii("next")));
            }
            ByteBuffer single = ByteBuffer.allocate(10);
            assertThat(pair.second().read(single)).isEqualTo(10);
            assertThat(pair.second().read(ByteBuffer.allocate(10))).isEqualTo(4);

            ByteBuffer[] buffers = {ByteBuffer.allocate(10), ByteBuffer.allocateDirect(10)};
            assertThat(pair.second().receiveMessages(buffers)).isEqualTo(2);
            assertThat(buffers[0].position()).as("as read").isEqualTo(single.position());
            assertThat(buffers[0].array()).isEqualTo(single.array()).isEqualTo(Arrays.copyOf(longer, 10));
            assertThat(Bytes.ascii(buffers[1].flip())).as("the next message, whole").isEqualTo("next");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aBatchEndsBeforeTheFirstBufferWithNoSpaceAsAReadIntoAFullBufferReturnsZero(SocketType type)
            throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().sendMessages(ByteBuffer.wrap(new byte[] {1}), ByteBuffer.wrap(new byte[] {2}));
            ByteBuffer full = ByteBuffer.allocate(4).position(4);

            assertThat(pair.second().receiveMessages(full, ByteBuffer.allocate(4))).as("without waiting").isZero();
            ByteBuffer first = ByteBuffer.allocate(4);
            ByteBuffer after = ByteBuffer.allocate(4);
            assertThat(pair.second().receiveMessages(first, full, after)).isEqualTo(1);
            assertThat(first.get(0)).isEqualTo((byte) 1);
            assertThat(after.position()).isZero();
            assertThat(pair.second().receiveMessages(after)).isEqualTo(1);
            assertThat(after.get(0)).as("nothing lost").isEqualTo((byte) 2);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void seqpacketGivesTheQueuedMessagesThenMinusOneOnceThePeerHasClosed(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            pair.first().sendMessages(ByteBuffer.wrap(Bytes.ascii("one")), ByteBuffer.wrap(Bytes.ascii("two")));
            pair.first().close();
            ByteBuffer[] buffers = buffers(8, 16);
            Concurrently.await(Concurrently.start(virtual, () -> {
                assertThat(pair.second().receiveMessages(buffers)).isEqualTo(2);
                assertThat(Bytes.ascii(buffers[1].flip())).isEqualTo("two");
                assertThat(buffers[2].position()).isZero();
                assertThat(pair.second().receiveMessages(buffers, 2, 6)).isEqualTo(-1);
                assertThat(pair.second().receiveMessages(buffers, 2, 6)).as("again").isEqualTo(-1);
                return null;
            }));
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aBlockedSeqpacketBatchReturnsMinusOneWhenThePeerShutsDownItsOutput(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            ByteBuffer[] buffers = buffers(4, 16);
            var receiver = Concurrently.startBlocked(virtual, pair.second(),
                    () -> pair.second().receiveMessages(buffers));
            pair.first().shutdownOutput();
            assertThat(Concurrently.await(receiver.outcome())).isEqualTo(-1);
            assertThat(buffers[0].position()).isZero();
        }
    }

    @Test
    void aDatagramBatchCountsEmptyDatagramsAsMessages() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
            pair.first().sendMessages(ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {9}), ByteBuffer.allocate(0));
            ByteBuffer[] buffers = buffers(4, 16);
            assertThat(pair.second().receiveMessages(buffers)).isEqualTo(3);
            assertThat(buffers[0].position()).isZero();
            assertThat(buffers[1].position()).isEqualTo(1);
            assertThat(buffers[2].position()).isZero();
        }
    }

    @Test
    void aStreamChannelRefusesBatchesAndSendsNothing() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK)) {
            assertThatThrownBy(() -> pair.first().sendMessages(ByteBuffer.wrap(new byte[] {1})))
                    .isExactlyInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("message batches need a DGRAM or SEQPACKET socket; this one is STREAM");
            assertThatThrownBy(() -> pair.second().receiveMessages(ByteBuffer.allocate(1)))
                    .isExactlyInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("message batches need a DGRAM or SEQPACKET socket; this one is STREAM");
            assertThat(pair.second().read(ByteBuffer.allocate(1))).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void argumentsAreCheckedBeforeAnythingMovesAndAClosedChannelIsReportedFirst(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type, SocketFlag.NONBLOCK)) {
            UnixSocketChannel a = pair.first(), b = pair.second();
            ByteBuffer one = ByteBuffer.wrap(new byte[] {1});
            ByteBuffer readOnly = ByteBuffer.allocate(1).asReadOnlyBuffer();
            assertThatThrownBy(() -> b.receiveMessages(ByteBuffer.allocate(1), readOnly))
                    .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("Read-only buffer");
            assertThatThrownBy(() -> a.sendMessages(one, null)).isExactlyInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> a.sendMessages(new ByteBuffer[] {one}, 1, 1))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            if (type == SocketType.SEQPACKET) {
                assertThatThrownBy(() -> a.sendMessages(one, ByteBuffer.allocate(0)))
                        .isExactlyInstanceOf(IllegalArgumentException.class)
                        .hasMessage("messages[1] is empty: an empty SEQPACKET record reads as end of stream");
            }
            assertThat(one.position()).isZero();
            assertThat(b.read(ByteBuffer.allocate(1))).as("nothing sent").isZero();

            a.close();
            b.close();
            assertThatThrownBy(() -> b.receiveMessages(ByteBuffer.allocate(1).asReadOnlyBuffer()))
                    .isExactlyInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> a.sendMessages(one, null)).isExactlyInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> a.sendMessages(one)).isExactlyInstanceOf(ClosedChannelException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void memoryOfAClosedArenaThrowsBeforeAnythingIsSent(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type, SocketFlag.NONBLOCK)) {
            ByteBuffer gone;
            try (Arena arena = Arena.ofConfined()) {
                gone = arena.allocate(8).asByteBuffer();
            }
            ByteBuffer before = ByteBuffer.wrap(new byte[] {1});
            assertThatThrownBy(() -> pair.first().sendMessages(before, gone))
                    .isExactlyInstanceOf(IllegalStateException.class);
            assertThat(before.position()).isZero();
            assertThat(pair.second().read(ByteBuffer.allocate(1))).as("nothing sent").isZero();
        }
    }

    /** {@code count} heap buffers of {@code capacity} bytes. */
    static ByteBuffer[] buffers(int count, int capacity) {
        ByteBuffer[] buffers = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            buffers[i] = ByteBuffer.allocate(capacity);
        }
        return buffers;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }
}

package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link ReceivedMessage} dropped without {@code close()} has the descriptors it still holds closed
 * by its cleaner, and only those: descriptors taken from it, or adopted as channels, stay open.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DroppedReceivedMessageTest {

    private static final long GC_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void descriptorsOfMessagesDroppedUnclosedAreClosedOnceTheMessagesAreCollected() throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        String pipeTarget = ProcFd.target(pipe[0]);
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            for (int i = 0; i < 10; i++) {
                pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[0]);
                assertThat(pair.second().receive(ByteBuffer.allocate(1), 1).descriptorCount()).isOne();
            }
            assertThat(count(pipeTarget)).isEqualTo(2 + 10);

            collectUntil(() -> count(pipeTarget) == 2);
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void descriptorsTakenOrAdoptedFromADroppedMessageStayOpen() throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        String pipeTarget = ProcFd.target(pipe[1]);
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET);
             SocketPair sent = SocketPair.open(SocketType.STREAM)) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[1], pipe[1], sent.first().fd());
            Given given = receiveAndDrop(pair.second());
            int taken = given.taken();
            UnixSocketChannel adopted = given.adopted();
            assertThat(count(pipeTarget)).isEqualTo(2 + 2);

            // The message's one remaining descriptor, a copy of the pipe's write end, is closed.
            collectUntil(() -> count(pipeTarget) == 2 + 1);

            assertThat(ProcFd.target(taken)).isEqualTo(pipeTarget);
            RawFd.write(taken, (byte) 42);
            assertThat(RawFd.read(pipe[0], 1)).containsExactly(42);
            RawFd.close(taken);
            try (adopted) {
                adopted.write(ByteBuffer.wrap(new byte[] {9}));
                ByteBuffer in = ByteBuffer.allocate(1);
                assertThat(sent.second().read(in)).isOne();
                assertThat(in.get(0)).isEqualTo((byte) 9);
            }
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    private record Given(int taken, UnixSocketChannel adopted) {
    }

    /**
     * Receives three descriptors, takes the first, adopts the third as a channel, and drops the message
     * with the second: no frame of the caller's keeps the message reachable.
     */
    private static Given receiveAndDrop(UnixSocketChannel channel) throws Exception {
        ReceivedMessage message = channel.receive(ByteBuffer.allocate(1), 3);
        return new Given(message.takeDescriptor(0), message.adoptChannel(2));
    }

    /**
     * Asks for garbage collection until {@code done} holds: the cleaner closes a dropped message's
     * descriptors some time after a collection finds it unreachable.
     */
    private static void collectUntil(BooleanSupplier done) {
        long start = System.nanoTime();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - start).as("nanoseconds waited for the cleaner").isLessThan(GC_DEADLINE_NANOS);
            System.gc();
            Thread.yield();
        }
    }

    private static long count(String target) {
        return ProcFd.list().values().stream().filter(target::equals).count();
    }
}

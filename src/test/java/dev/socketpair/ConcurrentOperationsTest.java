package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operations of several threads on one channel, each for platform and virtual threads: a reader and a
 * writer at once, a second reader or writer after the first, interrupts of blocked writes and what they
 * do to the other blocked threads, shutdown under a blocked reader, and a blocking-mode change that waits
 * for the operation in flight.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConcurrentOperationsTest {

    /** More than the socket buffers of both ends hold: a write of this size blocks until the peer reads. */
    private static final int LARGE = 4 << 20;

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aReaderAndAWriterAreBlockedOnOneChannelAtTheSameTime(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            var reader = Concurrently.startBlocked(virtual, () -> end.read(ByteBuffer.allocate(8)));
            var writer = Concurrently.startBlocked(virtual, () -> end.write(ByteBuffer.allocateDirect(LARGE)));
            Concurrently.awaitBlocked(reader.thread());
            assertThat(reader.outcome()).as("the reader is still blocked while the writer is").isNotDone();

            assertThat(drain(pair.second(), LARGE)).isEqualTo(LARGE);
            assertThat(Concurrently.await(writer.outcome())).isEqualTo(LARGE);
            assertThat(reader.outcome()).isNotDone();
            pair.second().write(ByteBuffer.wrap(Bytes.ascii("reply")));
            assertThat(Concurrently.await(reader.outcome())).isEqualTo(5);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aSecondReaderWaitsForTheFirstAndThenReadsWhatComesNext(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.second();
            var first = Concurrently.startBlocked(virtual, () -> readOneByte(end));
            CompletableFuture<Thread> secondThread = new CompletableFuture<>();
            CompletableFuture<Byte> second = Concurrently.start(virtual, () -> {
                secondThread.complete(Thread.currentThread());
                return readOneByte(end);
            });
            Concurrently.awaitWaitingForLock(secondThread.get(10, TimeUnit.SECONDS));

            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(Concurrently.await(first.outcome())).isEqualTo((byte) 1);
            Concurrently.awaitBlocked(secondThread.get());
            assertThat(second).isNotDone();
            pair.first().write(ByteBuffer.wrap(new byte[] {2}));
            assertThat(Concurrently.await(second)).isEqualTo((byte) 2);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aSecondWriterWaitsForTheFirstSoThatItsBytesFollowAllOfTheFirstWrite(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            byte[] a = new byte[LARGE];
            Arrays.fill(a, (byte) 'A');
            var first = Concurrently.startBlocked(virtual, () -> end.write(ByteBuffer.wrap(a)));
            CompletableFuture<Thread> secondThread = new CompletableFuture<>();
            CompletableFuture<Integer> second = Concurrently.start(virtual, () -> {
                secondThread.complete(Thread.currentThread());
                return end.write(ByteBuffer.wrap(Bytes.ascii("BBBB")));
            });
            Concurrently.awaitWaitingForLock(secondThread.get(10, TimeUnit.SECONDS));

            ByteBuffer all = ByteBuffer.allocate(LARGE + 4);
            while (all.hasRemaining()) {
                assertThat(pair.second().read(all)).isPositive();
            }
            assertThat(Concurrently.await(first.outcome())).isEqualTo(LARGE);
            assertThat(Concurrently.await(second)).isEqualTo(4);
            byte[] received = all.array();
            assertThat(Arrays.copyOfRange(received, 0, LARGE)).isEqualTo(a);
            assertThat(Arrays.copyOfRange(received, LARGE, LARGE + 4)).isEqualTo(Bytes.ascii("BBBB"));
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void interruptingABlockedWriterClosesTheChannelAndKeepsTheInterruptStatus(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            var writer = Concurrently.startBlocked(virtual, () -> Concurrently.interruptOutcome(
                    () -> pair.first().write(ByteBuffer.allocateDirect(LARGE)), "write returned"));
            writer.thread().interrupt();
            assertThat(Concurrently.await(writer.outcome())).isEqualTo("interrupted");
            assertThat(pair.first().isOpen()).isFalse();
            assertThat(pair.second().isOpen()).isTrue();
        }
    }

    @ParameterizedTest(name = "virtual={0}, interrupting the reader={1}")
    @CsvSource({"false, true", "false, false", "true, true", "true, false"})
    void interruptingOneBlockedThreadWakesTheOtherWithAsynchronousCloseException(boolean virtual,
                                                                                 boolean interruptReader)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            var reader = Concurrently.startBlocked(virtual, () -> end.read(ByteBuffer.allocate(1)));
            var writer = Concurrently.startBlocked(virtual, () -> end.write(ByteBuffer.allocateDirect(LARGE)));
            var interrupted = interruptReader ? reader : writer;
            var other = interruptReader ? writer : reader;
            interrupted.thread().interrupt();
            assertThat(Concurrently.failureOf(interrupted.outcome())).isExactlyInstanceOf(ClosedByInterruptException.class);
            assertThat(Concurrently.failureOf(other.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(end.isOpen()).isFalse();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void shutdownOutputMakesTheBlockedPeerReadWhatWasSentThenMinusOne(boolean virtual) throws Exception {
        for (SocketType type : new SocketType[] {SocketType.STREAM, SocketType.SEQPACKET}) {
            try (SocketPair pair = SocketPair.open(type)) {
                var data = Concurrently.startBlocked(virtual, () -> pair.second().read(ByteBuffer.allocate(8)));
                pair.first().write(ByteBuffer.wrap(Bytes.ascii("bye")));
                assertThat(Concurrently.await(data.outcome())).as("%s", type).isEqualTo(3);

                var end = Concurrently.startBlocked(virtual, () -> pair.second().read(ByteBuffer.allocate(8)));
                pair.first().shutdownOutput();
                assertThat(Concurrently.await(end.outcome())).as("%s", type).isEqualTo(-1);
                assertThat(pair.second().isOpen()).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void configureBlockingWaitsForABlockedReadToFinish(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.second();
            var reader = Concurrently.startBlocked(virtual, () -> end.read(ByteBuffer.allocate(1)));
            CompletableFuture<Void> configure = startConfiguringNonBlocking(virtual, end);
            assertThat(Kernel.nonBlocking(end)).as("O_NONBLOCK while the read is in flight").isFalse();
            assertThat(end.isBlocking()).isTrue();

            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(Concurrently.await(reader.outcome())).isEqualTo(1);
            Concurrently.await(configure);
            assertThat(Kernel.nonBlocking(end)).isTrue();
            assertThat(end.isBlocking()).isFalse();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void configureBlockingWaitsForABlockedWriteToFinish(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            var writer = Concurrently.startBlocked(virtual, () -> end.write(ByteBuffer.allocateDirect(LARGE)));
            CompletableFuture<Void> configure = startConfiguringNonBlocking(virtual, end);
            assertThat(Kernel.nonBlocking(end)).as("O_NONBLOCK while the write is in flight").isFalse();

            assertThat(drain(pair.second(), LARGE)).isEqualTo(LARGE);
            assertThat(Concurrently.await(writer.outcome())).as("the whole write, in blocking mode").isEqualTo(LARGE);
            Concurrently.await(configure);
            assertThat(Kernel.nonBlocking(end)).isTrue();
        }
    }

    /** Starts {@code configureBlocking(false)} on another thread and returns once it waits for a lock. */
    private static CompletableFuture<Void> startConfiguringNonBlocking(boolean virtual, UnixSocketChannel end)
            throws Exception {
        CompletableFuture<Thread> configurerThread = new CompletableFuture<>();
        CompletableFuture<Void> configure = Concurrently.start(virtual, () -> {
            configurerThread.complete(Thread.currentThread());
            end.configureBlocking(false);
            return null;
        });
        Concurrently.awaitWaitingForLock(configurerThread.get(10, TimeUnit.SECONDS));
        return configure;
    }

    private static byte readOneByte(UnixSocketChannel channel) throws Exception {
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThat(channel.read(one)).isEqualTo(1);
        return one.get(0);
    }

    /** Reads until {@code total} bytes have arrived; returns the count. */
    private static long drain(UnixSocketChannel channel, long total) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
        long read = 0;
        while (read < total) {
            int n = channel.read(buffer.clear().limit((int) Math.min(buffer.capacity(), total - read)));
            assertThat(n).isPositive();
            read += n;
        }
        return read;
    }
}

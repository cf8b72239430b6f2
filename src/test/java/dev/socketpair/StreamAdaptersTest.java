package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The channel's input and output streams: full duplex, exact bytes, end of stream, blocking mode, close. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamAdaptersTest {

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aReaderBlockedInTheInputStreamDoesNotHoldUpAWriterOnTheOutputStreamOfTheSameChannel(boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.first().newInputStream();
            OutputStream out = pair.first().newOutputStream();
            var reader = Concurrently.startBlocked(virtual, in::read);

            CompletableFuture<Void> write = Concurrently.start(virtual, () -> {
                out.write(Bytes.ascii("request"));
                return null;
            });
            // With Channels.newOutputStream this write would wait for the reader for ever: see
            // jdkStreamAdaptersHoldUpAWriterBehindAReaderBlockedOnTheSameChannel.
            write.get(10, TimeUnit.SECONDS);
            assertThat(reader.outcome()).as("the reader is still blocked").isNotDone();
            assertThat(pair.second().newInputStream().readNBytes(7)).isEqualTo(Bytes.ascii("request"));

            pair.second().write(ByteBuffer.wrap(new byte[] {42}));
            assertThat(Concurrently.await(reader.outcome())).isEqualTo(42);
        }
    }

    /**
     * The contrast for the test above: the JDK's adapters hold the channel's blocking lock for the
     * whole of a read, so a writer through them waits on that monitor until the reader gets something.
     */
    @Test
    void jdkStreamAdaptersHoldUpAWriterBehindAReaderBlockedOnTheSameChannel() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = Channels.newInputStream(pair.first());
            OutputStream out = Channels.newOutputStream(pair.first());
            var reader = Concurrently.startBlocked(false, in::read);

            CompletableFuture<Thread> writerThread = new CompletableFuture<>();
            CompletableFuture<Void> write = Concurrently.start(false, () -> {
                writerThread.complete(Thread.currentThread());
                out.write(7);
                return null;
            });
            // Blocked entering a monitor: the stream's own is free (one writer), so it is the channel's
            // blocking lock, which the reader holds.
            Thread writer = writerThread.get(10, TimeUnit.SECONDS);
            ThreadStates.await(writer, "blocked entering a monitor", () -> writer.getState() == Thread.State.BLOCKED);
            assertThat(write).isNotDone();
            pair.second().configureBlocking(false);
            assertThat(pair.second().read(ByteBuffer.allocate(1))).as("nothing written yet").isZero();

            // Something for the reader: it lets go of the lock, and only then does the write happen.
            pair.second().configureBlocking(true);
            pair.second().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(Concurrently.await(reader.outcome())).isEqualTo(1);
            Concurrently.await(write);
            ByteBuffer one = ByteBuffer.allocate(1);
            assertThat(pair.second().read(one)).isEqualTo(1);
            assertThat(one.get(0)).isEqualTo((byte) 7);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void bytesRoundTripExactlyAsSingleBytesArraysAndSlices(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Concurrently.await(Concurrently.start(virtual, () -> {
                roundTrip(pair.first(), pair.second());
                roundTrip(pair.second(), pair.first());
                return null;
            }));
        }
    }

    private static void roundTrip(UnixSocketChannel from, UnixSocketChannel to) throws Exception {
        OutputStream out = from.newOutputStream();
        InputStream in = to.newInputStream();
        // write(int) sends the low eight bits; read() returns them as 0 to 255.
        int[] ints = {0, 1, 127, 128, 255, -1, 256, 0x1234, Integer.MIN_VALUE};
        for (int b : ints) {
            out.write(b);
        }
        for (int b : ints) {
            assertThat(in.read()).as("write(%d)", b).isEqualTo(b & 0xff);
        }

        byte[] data = Bytes.random(new Random(from.fd()), 300);
        out.write(data);
        out.write(data, 10, 20);
        out.write(data, 299, 1);
        out.write(data, 5, 0);
        byte[] expected = new byte[321];
        System.arraycopy(data, 0, expected, 0, 300);
        System.arraycopy(data, 10, expected, 300, 20);
        expected[320] = data[299];

        // A slice of the destination is filled and the bytes around it are left alone.
        byte[] into = new byte[400];
        Arrays.fill(into, (byte) 0x5a);
        int got = 0;
        while (got < expected.length) {
            int n = in.read(into, 50 + got, expected.length - got);
            assertThat(n).isPositive();
            got += n;
        }
        assertThat(Arrays.copyOfRange(into, 50, 50 + expected.length)).isEqualTo(expected);
        for (int i : new int[] {0, 49, 50 + expected.length, into.length - 1}) {
            assertThat(into[i]).as("byte %d outside the slice", i).isEqualTo((byte) 0x5a);
        }
        assertThat(in.read(into, 3, 0)).as("an empty slice reads nothing and does not wait").isZero();
    }

    @Test
    void argumentsAreCheckedBeforeTheChannelIsAndAnEmptySliceDoesNothing() throws Exception {
        SocketPair pair = SocketPair.open();
        InputStream in = pair.first().newInputStream();
        OutputStream out = pair.first().newOutputStream();
        for (boolean closed : new boolean[] {false, true}) {
            if (closed) {
                pair.close();
            }
            byte[] four = new byte[4];
            assertThatThrownBy(() -> in.read(null, 0, 1)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> out.write(null, 0, 1)).isInstanceOf(NullPointerException.class);
            for (int[] bad : new int[][] {{-1, 1}, {0, 5}, {3, 2}, {5, 0}, {0, -1}}) {
                assertThatThrownBy(() -> in.read(four, bad[0], bad[1])).as("read(%d, %d)", bad[0], bad[1])
                        .isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> out.write(four, bad[0], bad[1])).as("write(%d, %d)", bad[0], bad[1])
                        .isInstanceOf(IndexOutOfBoundsException.class);
            }
            assertThat(in.read(four, 4, 0)).as("closed=%s", closed).isZero();
            out.write(four, 4, 0);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void writesLargerThanTheSocketBuffersArriveWhileTheSameChannelReadsTheEchoBack(boolean virtual) throws Exception {
        byte[] data = Bytes.random(new Random(virtual ? 2 : 1), 3 << 20);
        int firstWrite = 1 << 20;
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel a = pair.first();
            UnixSocketChannel b = pair.second();
            assertThat(firstWrite).as("one write is larger than all the buffers between the ends")
                    .isGreaterThan(2 * (a.getOption(StandardSocketOptions.SO_SNDBUF)
                            + b.getOption(StandardSocketOptions.SO_RCVBUF)));
            // The echo writes back while the writer still writes: the writer's end must be read
            // while a write on it is blocked, or neither side moves again.
            CompletableFuture<Void> echo = Concurrently.start(virtual, () -> {
                InputStream in = b.newInputStream();
                OutputStream out = b.newOutputStream();
                byte[] buffer = new byte[64 << 10];
                for (int n; (n = in.read(buffer)) > 0;) {
                    out.write(buffer, 0, n);
                }
                b.shutdownOutput();
                return null;
            });
            CompletableFuture<Void> writer = Concurrently.start(virtual, () -> {
                OutputStream out = a.newOutputStream();
                out.write(data, 0, firstWrite);
                Random random = new Random(3);
                for (int off = firstWrite; off < data.length;) {
                    int len = Math.min(data.length - off, 1 + random.nextInt(300_000));
                    out.write(data, off, len);
                    off += len;
                }
                a.shutdownOutput();
                return null;
            });
            CompletableFuture<byte[]> reader = Concurrently.start(virtual, () -> a.newInputStream().readAllBytes());
            byte[] echoed = Concurrently.await(reader);
            Concurrently.await(writer);
            Concurrently.await(echo);
            assertThat(echoed.length).isEqualTo(data.length);
            assertThat(Bytes.sha256(echoed)).isEqualTo(Bytes.sha256(data));
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void readReturnsMinusOneAtEndOfStreamAfterThePeerShutsDownOutput(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.second().newInputStream();
            var blocked = Concurrently.startBlocked(virtual, () -> in.read(new byte[8]));
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("last")));
            assertThat(Concurrently.await(blocked.outcome())).isEqualTo(4);

            var waiting = Concurrently.startBlocked(virtual, in::read);
            pair.first().shutdownOutput();
            assertThat(Concurrently.await(waiting.outcome())).isEqualTo(-1);
            assertThat(in.read(new byte[8], 2, 3)).isEqualTo(-1);
            assertThat(in.readAllBytes()).isEmpty();
            assertThat(pair.second().isOpen()).as("end of stream closes nothing").isTrue();
        }
    }

    @Test
    void everyStreamTransferInNonBlockingModeThrowsIllegalBlockingModeExceptionAndMovesNoByte() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK)) {
            pair.second().write(ByteBuffer.wrap(Bytes.ascii("x")));
            InputStream in = pair.first().newInputStream();
            OutputStream out = pair.first().newOutputStream();
            assertThatThrownBy(in::read).isInstanceOf(IllegalBlockingModeException.class);
            assertThatThrownBy(() -> in.read(new byte[4])).isInstanceOf(IllegalBlockingModeException.class);
            assertThatThrownBy(() -> in.read(new byte[4], 1, 2)).isInstanceOf(IllegalBlockingModeException.class);
            assertThatThrownBy(() -> out.write(1)).isInstanceOf(IllegalBlockingModeException.class);
            assertThatThrownBy(() -> out.write(new byte[4])).isInstanceOf(IllegalBlockingModeException.class);
            assertThat(pair.second().read(ByteBuffer.allocate(4))).as("nothing was written").isZero();

            pair.first().configureBlocking(true);
            assertThat(in.read()).as("nothing was consumed").isEqualTo('x');
            out.write('y');
            ByteBuffer one = ByteBuffer.allocate(1);
            assertThat(pair.second().read(one)).isEqualTo(1);
            assertThat(one.get(0)).isEqualTo((byte) 'y');
        }
    }

    @Test
    void closingEitherStreamClosesTheChannelAndItsDescriptor() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.first().newInputStream();
            OutputStream out = pair.second().newOutputStream();
            int first = pair.first().fd();
            int second = pair.second().fd();
            Map<Integer, String> before = ProcFd.sockets();
            assertThat(before).containsKeys(first, second);

            in.close();
            assertThat(pair.first().isOpen()).isFalse();
            Map<Integer, String> afterIn = ProcFd.sockets();
            assertThat(afterIn).doesNotContainKey(first).containsKey(second).hasSize(before.size() - 1);
            assertThatThrownBy(in::read).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(in::available).isInstanceOf(ClosedChannelException.class);
            in.close();

            out.close();
            assertThat(pair.second().isOpen()).isFalse();
            Map<Integer, String> afterOut = ProcFd.sockets();
            assertThat(afterOut).doesNotContainKeys(first, second).hasSize(before.size() - 2);
            assertThatThrownBy(() -> out.write(1)).isInstanceOf(ClosedChannelException.class);
            out.close();
        }
    }

    @Test
    void writeAfterShutdownOutputThrowsAsynchronousCloseExceptionAsTheJdkDoes() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            OutputStream out = pair.first().newOutputStream();
            pair.first().shutdownOutput();
            assertThatThrownBy(() -> out.write(1)).isExactlyInstanceOf(java.nio.channels.AsynchronousCloseException.class);
            assertThat(pair.first().isOpen()).isTrue();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closingTheOutputStreamWakesAThreadBlockedReadingTheInputStreamWithAsynchronousCloseException(
            boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.first().newInputStream();
            int fd = pair.first().fd();
            var reader = Concurrently.startBlocked(virtual, in::read);
            pair.first().newOutputStream().close();
            assertThat(Concurrently.failureOf(reader.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(ProcFd.target(fd)).as("closed once the reader left").isNull();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closingTheChannelWakesAThreadBlockedWritingTheOutputStreamWithAsynchronousCloseException(boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            OutputStream out = pair.first().newOutputStream();
            byte[] big = new byte[16 << 20];
            var writer = Concurrently.startBlocked(virtual, () -> {
                out.write(big);
                return null;
            });
            pair.first().close();
            assertThat(Concurrently.failureOf(writer.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void interruptingAThreadBlockedReadingTheInputStreamClosesTheChannelAndKeepsTheInterruptStatus(boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            InputStream in = pair.first().newInputStream();
            var reader = Concurrently.startBlocked(virtual,
                    () -> Concurrently.interruptOutcome(in::read, "read returned"));
            reader.thread().interrupt();
            assertThat(Concurrently.await(reader.outcome())).isEqualTo("interrupted");
            assertThat(pair.first().isOpen()).isFalse();
            assertThat(pair.second().isOpen()).isTrue();
        }
    }

    @Test
    void onMessageSocketsEachWriteIsOneMessageAndEmptyDatagramsAreSkipped() throws Exception {
        for (SocketType type : new SocketType[] {SocketType.DGRAM, SocketType.SEQPACKET}) {
            try (SocketPair pair = SocketPair.open(type)) {
                OutputStream out = pair.first().newOutputStream();
                out.write(Bytes.ascii("one"));
                out.write(Bytes.ascii("three"), 1, 3);
                ByteBuffer dst = ByteBuffer.allocate(16);
                assertThat(pair.second().read(dst)).as("%s", type).isEqualTo(3);
                assertThat(pair.second().read(dst)).as("%s", type).isEqualTo(3);
                assertThat(Bytes.ascii(dst.flip())).isEqualTo("onehre");

                if (type == SocketType.DGRAM) {
                    pair.first().write(ByteBuffer.allocate(0));
                }
                pair.first().write(ByteBuffer.wrap(Bytes.ascii("abcdef")));
                pair.first().write(ByteBuffer.wrap(Bytes.ascii("g")));
                InputStream in = pair.second().newInputStream();
                byte[] two = new byte[2];
                assertThat(in.read(two)).as("%s: the rest of the message is discarded", type).isEqualTo(2);
                assertThat(two).isEqualTo(Bytes.ascii("ab"));
                assertThat(in.read()).isEqualTo('g');
            }
        }
    }
}

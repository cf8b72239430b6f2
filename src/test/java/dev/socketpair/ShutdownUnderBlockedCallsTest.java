package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * shutdownOutput and shutdownInput under a thread blocked in a write or read of the same channel, on
 * platform and virtual threads, and what the peer sees of a shutdown on each type.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownUnderBlockedCallsTest {

    private static final int MESSAGE = 1000;

    /** The ways to write; each sends one message (DGRAM, SEQPACKET) or {@link #MESSAGE} bytes. */
    enum WriteForm {
        BUFFER, GATHERING, SEGMENT, CREDENTIALS;

        long write(UnixSocketChannel channel) throws IOException {
            byte[] bytes = new byte[MESSAGE];
            return switch (this) {
                case BUFFER -> channel.write(ByteBuffer.wrap(bytes));
                case GATHERING -> channel.write(new ByteBuffer[] {ByteBuffer.wrap(bytes, 0, 1),
                        ByteBuffer.allocateDirect(MESSAGE - 1)});
                case SEGMENT -> channel.write(MemorySegment.ofArray(bytes));
                case CREDENTIALS -> channel.sendCredentials(ByteBuffer.wrap(bytes));
            };
        }
    }

    static Stream<Arguments> writers() {
        return everyTypeAndThreadKindWith(WriteForm.values());
    }

    static Stream<Arguments> readers() {
        return everyTypeAndThreadKindWith(ReadForm.values());
    }

    /** (type, virtual, form) for every socket type, both thread kinds and each of {@code forms}. */
    private static Stream<Arguments> everyTypeAndThreadKindWith(Enum<?>[] forms) {
        return Arrays.stream(SocketType.values()).flatMap(type -> Stream.of(false, true).flatMap(
                virtual -> Arrays.stream(forms).map(form -> Arguments.of(type, virtual, form))));
    }

    @ParameterizedTest(name = "{0} virtual={1} {2}")
    @MethodSource("writers")
    void shutdownOutputMakesABlockedWriterThrowAsynchronousCloseExceptionAndLeavesTheChannelOpen(
            SocketType type, boolean virtual, WriteForm form) throws Exception {
        if (form == WriteForm.CREDENTIALS) {
            CredentialsSupport.assumeSent();
        }
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = pair.first(), b = pair.second();
            long filled = fill(a);
            var writer = Concurrently.startBlocked(virtual, a, () -> form.write(a));

            a.shutdownOutput();

            assertThat(Concurrently.failureOf(writer.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(a.isOpen()).as("shutdown does not close").isTrue();
            assertThat(catchThrowable(() -> form.write(a))).as("a later write")
                    .isExactlyInstanceOf(AsynchronousCloseException.class);

            // The peer gets what was written before the shutdown, and nothing of the write it ended.
            b.configureBlocking(false);
            assertThat(drain(b)).isEqualTo(filled);
            assertThat(b.read(ByteBuffer.allocate(MESSAGE))).as("then, on " + type)
                    .isEqualTo(type == SocketType.DGRAM ? 0 : -1);

            // This end still reads.
            b.write(ByteBuffer.wrap(new byte[] {7}));
            ByteBuffer reply = ByteBuffer.allocate(MESSAGE);
            assertThat(a.read(reply)).isEqualTo(1);
            assertThat(reply.get(0)).isEqualTo((byte) 7);
        }
    }

    @ParameterizedTest(name = "{0} virtual={1} {2}")
    @MethodSource("readers")
    void shutdownInputMakesABlockedReaderReturnMinusOneAndTheChannelStaysOpen(
            SocketType type, boolean virtual, ReadForm form) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = pair.first(), b = pair.second();
            var reader = Concurrently.startBlocked(virtual, a, () -> form.read(a, MESSAGE));

            a.shutdownInput();

            assertThat(Concurrently.await(reader.outcome())).isEqualTo(-1);
            assertThat(a.isOpen()).isTrue();
            assertThat(form.read(a, MESSAGE)).as("a later read").isEqualTo(-1);
            ErrnoException e = catchThrowableOfType(ErrnoException.class, () -> b.write(ByteBuffer.allocate(1)));
            assertThat(e.errnoName()).as("the peer's write").isEqualTo("EPIPE");
            // This end still writes.
            assertThat(a.write(ByteBuffer.wrap(new byte[] {7}))).isEqualTo(1);
            assertThat(b.read(ByteBuffer.allocate(MESSAGE))).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void shutdownOutputGivesThePeerEndOfStreamOnlyOnStreamAndSeqpacket(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = pair.first(), b = pair.second();
            a.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            a.shutdownOutput();
            assertThat(catchThrowable(() -> a.write(ByteBuffer.allocate(1))))
                    .isExactlyInstanceOf(AsynchronousCloseException.class);

            assertThat(b.read(ByteBuffer.allocate(MESSAGE))).as("what was sent").isEqualTo(3);
            if (type != SocketType.DGRAM) {
                assertThat(b.read(ByteBuffer.allocate(MESSAGE))).isEqualTo(-1);
                return;
            }
            // DGRAM: nothing to see; a read waits for a datagram that will never come.
            b.configureBlocking(false);
            assertThat(b.read(ByteBuffer.allocate(MESSAGE))).as("non-blocking").isZero();
            b.configureBlocking(true);
            var reader = Concurrently.startBlocked(false, b, () -> b.read(ByteBuffer.allocate(MESSAGE)));
            b.close();
            assertThat(Concurrently.failureOf(reader.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
        }
    }

    /** Writes {@link #MESSAGE}-byte writes without blocking until the socket is full; returns the bytes written. */
    private static long fill(UnixSocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        long total = 0;
        for (int n; (n = channel.write(ByteBuffer.allocate(MESSAGE))) > 0; ) {
            total += n;
        }
        channel.configureBlocking(true);
        return total;
    }

    /** Reads a non-blocking channel until nothing is ready or end of stream; returns the bytes read. */
    private static long drain(UnixSocketChannel channel) throws IOException {
        long total = 0;
        ByteBuffer buffer = ByteBuffer.allocate(MESSAGE);
        for (int n; (n = channel.read(buffer.clear())) > 0; ) {
            total += n;
        }
        return total;
    }
}

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
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Edges where a channel end answers as the JDK's own UNIX-domain SocketChannel does for the same call:
 * reads and writes of nothing, and the order in which a closed channel and a bad buffer are reported.
 */
class JdkParityTest {

    /** A read or write with nothing to move. */
    enum EmptyCall {
        READ_BUFFER, READ_BUFFERS, READ_SEGMENT, WRITE_BUFFER, WRITE_BUFFERS, WRITE_SEGMENT;

        long run(UnixSocketChannel channel) throws IOException {
            return switch (this) {
                case READ_BUFFER -> channel.read(ByteBuffer.allocate(0));
                case READ_BUFFERS -> channel.read(new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocateDirect(0)});
                case READ_SEGMENT -> channel.read(MemorySegment.ofArray(new byte[0]));
                case WRITE_BUFFER -> channel.write(ByteBuffer.allocate(0));
                case WRITE_BUFFERS -> channel.write(new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocateDirect(0)});
                case WRITE_SEGMENT -> channel.write(MemorySegment.ofArray(new byte[0]));
            };
        }

        boolean reads() {
            return name().startsWith("READ");
        }
    }

    /** A read or write given a buffer that is null or read-only where a writable one is needed. */
    enum BadBufferCall {
        READ_INTO_READ_ONLY_BUFFER, READ_INTO_READ_ONLY_BUFFERS, READ_INTO_NULL_ELEMENT, READ_INTO_READ_ONLY_SEGMENT,
        WRITE_NULL_ELEMENT;

        long run(UnixSocketChannel channel) throws IOException {
            ByteBuffer readOnly = ByteBuffer.allocate(4).asReadOnlyBuffer();
            return switch (this) {
                case READ_INTO_READ_ONLY_BUFFER -> channel.read(readOnly);
                case READ_INTO_READ_ONLY_BUFFERS -> channel.read(new ByteBuffer[] {ByteBuffer.allocate(1), readOnly});
                case READ_INTO_NULL_ELEMENT -> channel.read(new ByteBuffer[] {ByteBuffer.allocate(1), null});
                case READ_INTO_READ_ONLY_SEGMENT -> channel.read(MemorySegment.ofArray(new byte[4]).asReadOnly());
                case WRITE_NULL_ELEMENT -> channel.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1}), null});
            };
        }

        Class<? extends RuntimeException> faultOnAnOpenChannel() {
            return this == READ_INTO_NULL_ELEMENT || this == WRITE_NULL_ELEMENT
                    ? NullPointerException.class : IllegalArgumentException.class;
        }
    }

    static Stream<Arguments> everyTypeAndEmptyRead() {
        return Arrays.stream(SocketType.values()).flatMap(type -> Arrays.stream(EmptyCall.values())
                .filter(EmptyCall::reads).map(call -> Arguments.of(type, call)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyTypeAndEmptyRead")
    void aReadOfNothingAfterShutdownInputReturnsMinusOne(SocketType type, EmptyCall call) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = pair.first();
            assertThat(call.run(a)).as("before the shutdown").isZero();
            a.shutdownInput();
            assertThat(call.run(a)).isEqualTo(-1);
            a.configureBlocking(false);
            assertThat(call.run(a)).as("non-blocking").isEqualTo(-1);
        }
    }

    static Stream<Arguments> everyEmptyCallAndThreadKind() {
        return Arrays.stream(EmptyCall.values()).flatMap(call -> Stream.of(false, true).map(virtual -> Arguments.of(call, virtual)));
    }

    @ParameterizedTest(name = "{0} virtual={1}")
    @MethodSource("everyEmptyCallAndThreadKind")
    @Timeout(10)
    void aBlockingCallWithNothingToMoveByAnInterruptedThreadClosesTheChannel(EmptyCall call, boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel a = pair.first();
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            boolean[] stillInterrupted = new boolean[1];
            Thread thread = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                Thread.currentThread().interrupt();
                try {
                    outcome.complete(call.run(a));
                } catch (Throwable t) {
                    outcome.complete(t);
                } finally {
                    stillInterrupted[0] = Thread.interrupted();
                }
            });
            Object result = outcome.get(5, TimeUnit.SECONDS);
            thread.join();

            assertThat(result).isExactlyInstanceOf(ClosedByInterruptException.class);
            assertThat(a.isOpen()).isFalse();
            assertThat(stillInterrupted[0]).as("interrupt status kept").isTrue();
        }
    }

    @ParameterizedTest(name = "{0} non-blocking")
    @EnumSource(EmptyCall.class)
    void aNonBlockingCallWithNothingToMoveIgnoresTheInterruptStatus(EmptyCall call) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel a = pair.first();
            a.configureBlocking(false);
            Thread.currentThread().interrupt();
            try {
                assertThat(call.run(a)).isZero();
            } finally {
                assertThat(Thread.interrupted()).isTrue();
            }
            assertThat(a.isOpen()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(BadBufferCall.class)
    void aClosedChannelIsReportedBeforeABadBuffer(BadBufferCall call) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel a = pair.first();
            a.close();
            assertThat(catchThrowable(() -> call.run(a))).isExactlyInstanceOf(ClosedChannelException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(BadBufferCall.class)
    void onAnOpenChannelABadBufferThrowsBeforeAnythingMoves(BadBufferCall call) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel a = pair.first(), b = pair.second();
            b.write(ByteBuffer.wrap(new byte[] {1, 2}));

            assertThat(catchThrowable(() -> call.run(a))).isExactlyInstanceOf(call.faultOnAnOpenChannel());

            a.configureBlocking(false);
            b.configureBlocking(false);
            assertThat(a.read(ByteBuffer.allocate(4))).as("still queued for this end").isEqualTo(2);
            assertThat(b.read(ByteBuffer.allocate(4))).as("nothing written to the peer").isZero();
        }
    }

    /** Every way to write: each ends the same way once the output is shut down. */
    enum WriteCall {
        WRITE_BUFFER, WRITE_BUFFERS, WRITE_SEGMENT, SEND_DESCRIPTORS, SEND_CREDENTIALS, OUTPUT_STREAM;

        void run(UnixSocketChannel channel) throws IOException {
            byte[] one = {1};
            switch (this) {
                case WRITE_BUFFER -> channel.write(ByteBuffer.wrap(one));
                case WRITE_BUFFERS -> channel.write(new ByteBuffer[] {ByteBuffer.wrap(one), ByteBuffer.allocateDirect(1)});
                case WRITE_SEGMENT -> channel.write(MemorySegment.ofArray(one));
                case SEND_DESCRIPTORS -> channel.sendDescriptors(ByteBuffer.wrap(one), 0);
                case SEND_CREDENTIALS -> channel.sendCredentials(ByteBuffer.wrap(one));
                case OUTPUT_STREAM -> channel.newOutputStream().write(one);
            }
        }
    }

    static Stream<Arguments> everyTypeAndWrite() {
        return Arrays.stream(SocketType.values()).flatMap(type -> Arrays.stream(WriteCall.values())
                .map(call -> Arguments.of(type, call)));
    }

    /**
     * The JDK's channel checks the shut-down output before it writes and then, since nothing was
     * written while the output is shut down, ends the write with AsynchronousCloseException.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyTypeAndWrite")
    void aWriteAfterShutdownOutputThrowsAsynchronousCloseException(SocketType type, WriteCall call) throws Exception {
        if (call == WriteCall.SEND_CREDENTIALS) {
            CredentialsSupport.assumeSent();
        }
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = pair.first();
            a.shutdownOutput();
            assertThat(catchThrowable(() -> call.run(a))).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(a.isOpen()).isTrue();
            pair.second().configureBlocking(false);
            assertThat(pair.second().read(ByteBuffer.allocate(4))).as("nothing went").isIn(0, -1);
        }
    }
}

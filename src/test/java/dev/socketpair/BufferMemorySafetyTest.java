package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every operation that takes a ByteBuffer checks its memory as the JDK's channels do, whichever system
 * call it makes: memory of a closed arena is refused with IllegalStateException, memory confined to
 * another thread with WrongThreadException, before anything is sent or received; and memory of a shared
 * arena closed during a read is never written by that read.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BufferMemorySafetyTest {

    /** One operation, on the pair's first end for a send and its second for a receive. */
    enum Operation {
        READ, READ_ARRAY, RECEIVE, WRITE, WRITE_ARRAY, SEND_DESCRIPTORS, SEND_CREDENTIALS, SEND_CHANNELS,
        SEND_AND_CLOSE;

        boolean receives() {
            return this == READ || this == READ_ARRAY || this == RECEIVE;
        }

        /** Skips the calling test if this operation throws UnsupportedOperationException here, whatever its buffer. */
        void assumeAvailable() {
            if (this == SEND_CREDENTIALS) {
                CredentialsSupport.assumeSent();
            }
        }

        void run(SocketPair pair, ByteBuffer buffer, UnixSocketChannel passenger) throws Exception {
            switch (this) {
                case READ -> pair.second().read(buffer);
                case READ_ARRAY -> pair.second().read(new ByteBuffer[] {ByteBuffer.allocate(0), buffer});
                case RECEIVE -> pair.second().receive(buffer, 1).close();
                case WRITE -> pair.first().write(buffer);
                case WRITE_ARRAY -> pair.first().write(new ByteBuffer[] {buffer, ByteBuffer.allocate(1)});
                case SEND_DESCRIPTORS -> pair.first().sendDescriptors(buffer, passenger.fd());
                case SEND_CREDENTIALS -> pair.first().sendCredentials(buffer);
                case SEND_CHANNELS -> pair.first().sendChannels(buffer, passenger);
                case SEND_AND_CLOSE -> pair.first().sendAndClose(buffer, passenger);
            }
        }
    }

    static Stream<Arguments> operationsAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (Operation operation : Operation.values()) {
            for (SocketType type : SocketType.values()) {
                cases.add(Arguments.of(operation, type));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("operationsAndTypes")
    void aBufferOfAClosedArenaIsRefusedWithIllegalStateExceptionAndNothingMoves(Operation operation, SocketType type)
            throws Exception {
        operation.assumeAvailable();
        // Small memory stays mapped once freed; a mebibyte is given back to the system, which is where
        // the kernel would fail with EFAULT.
        for (int size : new int[] {64, 1 << 20}) {
            try (SocketPair pair = SocketPair.open(type); SocketPair passengers = SocketPair.open()) {
                queueForReceives(pair, operation);
                ByteBuffer buffer;
                try (Arena arena = Arena.ofConfined()) {
                    buffer = arena.allocate(size).fill((byte) 's').asByteBuffer();
                }

                assertThatThrownBy(() -> operation.run(pair, buffer, passengers.second()))
                        .as("%d bytes", size)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("Already closed");

                assertNothingMoved(pair, operation, passengers.second());
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("operationsAndTypes")
    void aBufferConfinedToAnotherThreadIsRefusedWithWrongThreadExceptionAndNothingMoves(Operation operation,
                                                                                       SocketType type)
            throws Exception {
        operation.assumeAvailable();
        try (SocketPair pair = SocketPair.open(type); SocketPair passengers = SocketPair.open();
             Arena arena = Arena.ofConfined()) {
            queueForReceives(pair, operation);
            ByteBuffer buffer = arena.allocate(64).fill((byte) 's').asByteBuffer();

            CompletableFuture<Object> outcome = Concurrently.start(false, () -> {
                operation.run(pair, buffer, passengers.second());
                return "completed";
            });

            assertThat(Concurrently.failureOf(outcome)).isInstanceOf(WrongThreadException.class);
            assertNothingMoved(pair, operation, passengers.second());
        }
    }

    @ParameterizedTest(name = "virtual {0}")
    @ValueSource(booleans = {false, true})
    void aSharedArenaClosedWhileAScatteringReadWaitsIsNeverWrittenByThatRead(boolean virtual) throws Exception {
        int size = 4096;
        try (SocketPair pair = SocketPair.open(); Arena probes = Arena.ofShared()) {
            Arena arena = Arena.ofShared();
            ByteBuffer buffer = arena.allocate(size).asByteBuffer();
            CompletableFuture<Long> read = Concurrently.startBlocked(virtual, pair.second(),
                    () -> pair.second().read(new ByteBuffer[] {buffer})).outcome();

            arena.close();
            // Freed memory of that size is usually handed out again at once: to this probe.
            MemorySegment probe = probes.allocate(size);
            pair.first().write(ByteBuffer.wrap(new byte[size]).put(0, (byte) 'x').put(size - 1, (byte) 'x'));

            assertThat(Concurrently.failureOf(read)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Already closed");
            assertThat(probe.toArray(ValueLayout.JAVA_BYTE)).containsOnly((byte) 0);
        }
    }

    @ParameterizedTest(name = "virtual {0}")
    @ValueSource(booleans = {false, true})
    void aSharedArenaClosedWhileAReceiveWaitsLeavesNoDescriptorThatCameOpen(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(); SocketPair passengers = SocketPair.open()) {
            Arena arena = Arena.ofShared();
            ByteBuffer buffer = arena.allocate(64).asByteBuffer();
            Map<Integer, String> before = ProcFd.sockets();
            CompletableFuture<ReceivedMessage> received = Concurrently.startBlocked(virtual, pair.second(),
                    () -> pair.second().receive(buffer, 1)).outcome();

            arena.close();
            pair.first().sendDescriptors(ByteBuffer.wrap(Bytes.ascii("fd")), passengers.second().fd());

            assertThat(Concurrently.failureOf(received)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Already closed");
            assertThat(ProcFd.sockets()).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "{0} byte buffer")
    @ValueSource(ints = {64, 1 << 20})
    void aSharedArenaCannotBeClosedWhileASingleBufferReadWaitsInTheKernel(int size) throws Exception {
        try (SocketPair pair = SocketPair.open(); Arena arena = Arena.ofShared()) {
            ByteBuffer buffer = arena.allocate(size).asByteBuffer();
            CompletableFuture<Integer> read = Concurrently.startBlocked(false, pair.second(),
                    () -> pair.second().read(buffer)).outcome();

            assertThatThrownBy(arena::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("acquired");

            pair.first().write(ByteBuffer.wrap(Bytes.ascii("done")));
            assertThat(Concurrently.await(read)).isEqualTo(4);
            assertThat(Bytes.ascii(buffer.flip())).isEqualTo("done");
        }
    }

    /** Queues a message for an operation that receives, to show afterwards that it is still there. */
    private static void queueForReceives(SocketPair pair, Operation operation) throws Exception {
        if (operation.receives()) {
            assertThat(pair.first().write(ByteBuffer.wrap(Bytes.ascii("kept")))).isEqualTo(4);
        }
    }

    /** Asserts that the refused operation neither consumed the queued message nor sent anything. */
    private static void assertNothingMoved(SocketPair pair, Operation operation, UnixSocketChannel passenger)
            throws Exception {
        pair.second().configureBlocking(false);
        if (operation.receives()) {
            ByteBuffer dst = ByteBuffer.allocate(16);
            assertThat(pair.second().read(dst)).isEqualTo(4);
            assertThat(Bytes.ascii(dst.flip())).isEqualTo("kept");
        }
        assertThat(pair.second().receive(ByteBuffer.allocate(16), 1)).as("a message after %s", operation).isNull();
        assertThat(passenger.isOpen()).isTrue();
    }
}

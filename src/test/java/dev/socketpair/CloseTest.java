package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Close: once, for real, waking waiting threads; interrupt; the cleaner; everything after close. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CloseTest {

    private interface ChannelCall {
        Object call(UnixSocketChannel channel) throws Exception;
    }

    @Test
    void closeClosesTheDescriptorOnceAndPairCloseClosesBoth() throws Exception {
        SocketPair pair = SocketPair.open();
        int first = pair.first().fd();
        int second = pair.second().fd();
        assertThat(ProcFd.isOpenSocket(first)).isTrue();
        pair.first().close();
        assertThat(ProcFd.target(first)).isNull();
        assertThat(pair.first().isOpen()).isFalse();
        assertThat(ProcFd.isOpenSocket(second)).isTrue();
        pair.close();
        pair.close();
        assertThat(ProcFd.target(second)).isNull();
        assertThat(pair.second().isOpen()).isFalse();
    }

    @Test
    void everyOperationOnAClosedChannelThrowsClosedChannelException() throws Exception {
        SocketPair pair = SocketPair.open();
        pair.close();
        List<ChannelCall> calls = List.of(
                c -> c.read(ByteBuffer.allocate(1)),
                c -> c.read(ByteBuffer.allocate(0)),
                c -> c.read(new ByteBuffer[] {ByteBuffer.allocate(1)}),
                c -> c.read(MemorySegment.ofArray(new byte[1])),
                c -> c.write(ByteBuffer.allocate(1)),
                c -> c.write(ByteBuffer.allocate(0)),
                c -> c.write(new ByteBuffer[] {ByteBuffer.allocate(1)}),
                c -> c.write(MemorySegment.ofArray(new byte[1])),
                UnixSocketChannel::shutdownInput,
                UnixSocketChannel::shutdownOutput,
                c -> c.configureBlocking(false),
                UnixSocketChannel::isCloseOnExec,
                c -> c.setCloseOnExec(true),
                c -> c.getOption(StandardSocketOptions.SO_RCVBUF),
                c -> c.setOption(StandardSocketOptions.SO_RCVBUF, 4096),
                UnixSocketChannel::getLocalAddress,
                UnixSocketChannel::getRemoteAddress,
                UnixSocketChannel::finishConnect,
                c -> c.connect(java.net.UnixDomainSocketAddress.of("x")));
        for (int i = 0; i < calls.size(); i++) {
            ChannelCall call = calls.get(i);
            assertThatThrownBy(() -> call.call(pair.first())).as("call %d", i).isInstanceOf(ClosedChannelException.class);
        }
        assertThat(pair.first().isConnected()).isFalse();
        assertThat(pair.first().toString()).isEqualTo("UnixSocketChannel[closed]");
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closeWakesABlockedReaderWithAsynchronousCloseException(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            var read = Concurrently.startBlocked(virtual, () -> pair.second().read(ByteBuffer.allocate(1)));
            int fd = pair.second().fd();
            pair.second().close();
            assertThat(Concurrently.failureOf(read.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(ProcFd.target(fd)).as("closed for real once the reader left").isNull();
        }
    }

    /**
     * Close waits, uninterruptibly, for the reader it woke to leave before it closes the number; a closing
     * thread with its interrupt status set must neither give up that wait nor lose the status.
     */
    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void anInterruptedThreadClosesAChannelWithABlockedReaderAndKeepsItsInterruptStatus(boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            var read = Concurrently.startBlocked(false, () -> pair.second().read(ByteBuffer.allocate(1)));
            int fd = pair.second().fd();
            boolean interruptedAfter = Concurrently.await(Concurrently.start(virtual, () -> {
                Thread.currentThread().interrupt();
                pair.second().close();
                return Thread.currentThread().isInterrupted();
            }));
            assertThat(interruptedAfter).isTrue();
            assertThat(Concurrently.failureOf(read.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(ProcFd.target(fd)).as("closed for real once the reader left").isNull();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closeWakesABlockedWriterWithAsynchronousCloseException(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            var write = Concurrently.startBlocked(virtual,
                    () -> pair.first().write(ByteBuffer.allocateDirect(64 << 20)));
            pair.first().close();
            assertThat(Concurrently.failureOf(write.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void interruptingABlockedReaderClosesTheChannel(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            var reader = Concurrently.startBlocked(virtual, () -> {
                try {
                    pair.second().read(ByteBuffer.allocate(1));
                    return null;
                } catch (ClosedByInterruptException e) {
                    return Thread.currentThread().isInterrupted();
                }
            });
            reader.thread().interrupt();
            assertThat(Concurrently.await(reader.outcome())).as("interrupt status kept").isTrue();
            assertThat(pair.second().isOpen()).isFalse();
            assertThat(pair.first().isOpen()).isTrue();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void blockingReadByAnInterruptedThreadClosesTheChannelAtOnce(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            Concurrently.await(Concurrently.start(virtual, () -> {
                Thread.currentThread().interrupt();
                assertThatThrownBy(() -> pair.second().read(ByteBuffer.allocate(1)))
                        .isInstanceOf(ClosedByInterruptException.class);
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
                return null;
            }));
            assertThat(pair.second().isOpen()).isFalse();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void blockingWriteAfterShutdownOutputByAnInterruptedThreadClosesTheChannel(boolean virtual) throws Exception {
        List<ChannelCall> writes = List.of(
                channel -> channel.write(ByteBuffer.wrap(new byte[] {1})),
                channel -> channel.write(ByteBuffer.allocate(0)),
                channel -> channel.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}),
                channel -> channel.write(MemorySegment.ofArray(new byte[] {1})));
        for (SocketType type : SocketType.values()) {
            for (ChannelCall write : writes) {
                try (SocketPair pair = SocketPair.open(type)) {
                    pair.first().shutdownOutput();
                    Concurrently.await(Concurrently.start(virtual, () -> {
                        Thread.currentThread().interrupt();
                        assertThatThrownBy(() -> write.call(pair.first())).as("%s", type)
                                .isInstanceOf(ClosedByInterruptException.class);
                        assertThat(Thread.currentThread().isInterrupted()).isTrue();
                        return null;
                    }));
                    assertThat(pair.first().isOpen()).as("%s", type).isFalse();
                }
            }
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void writeAfterShutdownOutputThrowsAsynchronousCloseExceptionAndLeavesTheChannelOpen(boolean virtual)
            throws Exception {
        for (boolean blocking : new boolean[] {true, false}) {
            try (SocketPair pair = SocketPair.open()) {
                pair.first().configureBlocking(blocking);
                pair.first().shutdownOutput();
                Concurrently.await(Concurrently.start(virtual, () -> {
                    if (!blocking) {
                        // Non-blocking operations are not interruptible: the refusal is the same.
                        Thread.currentThread().interrupt();
                    }
                    assertThatThrownBy(() -> pair.first().write(ByteBuffer.wrap(new byte[] {1})))
                            .isExactlyInstanceOf(AsynchronousCloseException.class);
                    return null;
                }));
                assertThat(pair.first().isOpen()).isTrue();
                assertThat(pair.second().read(ByteBuffer.allocate(1))).isEqualTo(-1);
            }
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void nonBlockingOperationsIgnoreInterrupt(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK)) {
            Concurrently.await(Concurrently.start(virtual, () -> {
                Thread.currentThread().interrupt();
                assertThat(pair.second().read(ByteBuffer.allocate(1))).isZero();
                assertThat(pair.first().write(ByteBuffer.wrap(new byte[] {5}))).isEqualTo(1);
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
                return null;
            }));
            assertThat(pair.second().isOpen()).isTrue();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void shutdownInputMakesABlockedReaderReturnMinusOne(boolean virtual) throws Exception {
        for (SocketType type : SocketType.values()) {
            try (SocketPair pair = SocketPair.open(type)) {
                var read = Concurrently.startBlocked(virtual, () -> pair.second().read(ByteBuffer.allocate(1)));
                pair.second().shutdownInput();
                assertThat(Concurrently.await(read.outcome())).as("%s", type).isEqualTo(-1);
            }
        }
    }

    @Test
    void unreachableChannelHasItsDescriptorClosedByTheCleaner() throws Exception {
        List<Integer> fds = new ArrayList<>();
        ReferenceQueue<Object> collected = new ReferenceQueue<>();
        List<PhantomReference<Object>> owners = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SocketPair pair = SocketPair.open();
            for (UnixSocketChannel end : List.of(pair.first(), pair.second())) {
                fds.add(end.fd());
                owners.add(new PhantomReference<>(end.descriptor(), collected));
            }
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // The descriptors' owners, unreachable with their channels, are found by a collection: the cleaner
        // learns of each at the same moment as this queue.
        for (int found = 0; found < owners.size(); ) {
            assertThat(System.nanoTime() - deadline).as("owners collected: %d of %d", found, owners.size()).isNegative();
            System.gc();
            for (var owner = collected.remove(100); owner != null; owner = collected.poll()) {
                found++;
            }
        }
        while (fds.stream().anyMatch(ProcFd::isOpenSocket)) {
            assertThat(System.nanoTime() - deadline).as("descriptors still open: %s", fds).isNegative();
            Thread.yield();
        }
    }
}

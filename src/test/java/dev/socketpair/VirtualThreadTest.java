package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Virtual threads waiting on channels park instead of holding their carriers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualThreadTest {

    @Test
    void manyBlockedVirtualReadersLeaveCarriersFreeAndAllFinish() throws Exception {
        // Far more waiting readers than carriers (one per CPU): if a waiting reader held its carrier,
        // the extra task below could never run and the test would time out.
        int readers = 64 * Runtime.getRuntime().availableProcessors();
        List<SocketPair> pairs = new ArrayList<>();
        List<CompletableFuture<Byte>> reads = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(readers);
        try {
            for (int i = 0; i < readers; i++) {
                SocketPair pair = SocketPair.open();
                pairs.add(pair);
                reads.add(Concurrently.start(true, () -> {
                    started.countDown();
                    ByteBuffer one = ByteBuffer.allocate(1);
                    pair.second().read(one);
                    return one.get(0);
                }));
            }
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<String> extra = Concurrently.start(true, () -> "ran");
            assertThat(extra.get(20, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(reads).noneMatch(CompletableFuture::isDone);

            for (int i = 0; i < readers; i++) {
                pairs.get(i).first().write(ByteBuffer.wrap(new byte[] {(byte) i}));
            }
            for (int i = 0; i < readers; i++) {
                assertThat(Concurrently.await(reads.get(i))).isEqualTo((byte) i);
            }
        } finally {
            for (SocketPair pair : pairs) {
                pair.close();
            }
        }
    }

    @Test
    void virtualThreadsPingPongOnOneChannelPairBothWays() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            CompletableFuture<Integer> echo = Concurrently.start(true, () -> {
                ByteBuffer b = ByteBuffer.allocate(1);
                int rounds = 0;
                while (pair.second().read(b.clear()) == 1) {
                    pair.second().write(b.flip());
                    rounds++;
                }
                return rounds;
            });
            CompletableFuture<Integer> client = Concurrently.start(true, () -> {
                ByteBuffer b = ByteBuffer.allocateDirect(1);
                for (int i = 0; i < 2000; i++) {
                    b.clear().put((byte) i).flip();
                    pair.first().write(b);
                    b.clear();
                    pair.first().read(b);
                    if (b.get(0) != (byte) i) {
                        return i;
                    }
                }
                pair.first().shutdownOutput();
                return 2000;
            });
            assertThat(Concurrently.await(client)).isEqualTo(2000);
            assertThat(Concurrently.await(echo)).isEqualTo(2000);
        }
    }

    @Test
    void aClosedChannelLeavesThePollersEvenIfItsSocketStaysOpenElsewhere() throws Exception {
        // The poll(2) poller keeps its list in Java memory: closingAChannelAVirtualThreadWaitsOnEndsItsSocketAtOnce
        // shows that it lets go of the socket.
        assumeTrue(Backend.current() == Backend.EPOLL, "the pollers' sets are epoll sets");
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.second();
            int fd = end.fd();
            String socket = ProcFd.target(fd);
            var reader = Concurrently.startBlocked(true, () -> end.read(ByteBuffer.allocate(1)));
            assertThat(ProcFd.watchedByAnyEpollSet(fd, socket)).as("watched while a virtual thread waits").isTrue();
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(Concurrently.await(reader.outcome())).isOne();

            // A second descriptor on the socket, as a child process or a message in flight would hold it:
            // close(2) of the channel's number leaves the socket open, and a registration left behind
            // would keep it in the poller's set.
            int duplicate = dev.socketpair.internal.SocketControl.duplicate(fd);
            try {
                end.close();
                assertThat(ProcFd.watchedByAnyEpollSet(fd, socket)).as("watched after close").isFalse();
            } finally {
                assertThat(dev.socketpair.internal.SocketControl.close(duplicate)).isZero();
            }
        }
    }

    /**
     * A poller that waits on the socket in the kernel holds it: epoll takes it out of its set at the
     * close; a poll(2) in progress holds the file until it returns, so the close must see it returned.
     */
    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"STREAM", "SEQPACKET"})
    void closingAChannelAVirtualThreadWaitsOnEndsItsSocketAtOnce(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel end = pair.second();
            pair.first().configureBlocking(false);
            var reader = Concurrently.startBlocked(true, end, () -> end.read(ByteBuffer.allocate(1)));

            end.close();
            assertThat(pair.first().read(ByteBuffer.allocate(1)))
                    .as("the peer reads end of stream as soon as close returns").isEqualTo(-1);
            assertThat(Concurrently.failureOf(reader.outcome())).isExactlyInstanceOf(AsynchronousCloseException.class);
        }
    }
}

package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link UnixSocketChannel#adopt} refuses a descriptor the library already owns, whoever owns it: a
 * second owner would close it a second time, by then perhaps a file that reused the number.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdoptOwnedDescriptorTest {

    private static final CLibrary C = Platform.current().library();

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void adoptingTheDescriptorOfAnOpenChannelIsRefusedAndTheChannelStaysUsable(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            int fd = pair.first().fd();

            assertThatThrownBy(() -> UnixSocketChannel.adopt(fd))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("descriptor " + fd + " is already owned by a UnixSocketChannel");

            assertThat(pair.first().isOpen()).isTrue();
            assertThat(ProcFd.isOpenSocket(fd)).isTrue();
            assertThat(pair.first().write(ByteBuffer.wrap(new byte[] {5}))).isOne();
            ByteBuffer in = ByteBuffer.allocate(1);
            assertThat(pair.second().read(in)).isOne();
            assertThat(in.get(0)).isEqualTo((byte) 5);
        }
    }

    /** Numbers are owned in a table of chunks; one far beyond those in use gets a chunk of its own. */
    @Test
    void aDescriptorNumberedFarAboveTheOthersIsOwnedLikeAnyOther() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            int high = RawFd.duplicate(pair.first().fd(), 5000);
            UnixSocketChannel adopted = UnixSocketChannel.adopt(high);
            assertThat(adopted.fd()).isEqualTo(high);
            assertThatThrownBy(() -> UnixSocketChannel.adopt(high))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("descriptor " + high + " is already owned by a UnixSocketChannel");
            assertThat(adopted.write(ByteBuffer.wrap(new byte[] {7}))).isOne();
            ByteBuffer in = ByteBuffer.allocate(1);
            assertThat(pair.second().read(in)).isOne();
            assertThat(in.get(0)).isEqualTo((byte) 7);

            adopted.close();
            assertThat(ProcFd.target(high)).isNull();
            int again = RawFd.duplicate(pair.first().fd(), high);
            assertThat(again).isEqualTo(high);
            UnixSocketChannel.adopt(again).close();
            assertThat(ProcFd.target(high)).isNull();
        }
    }

    @Test
    void onceItsChannelIsClosedTheNumberCanBeAdoptedAgain() throws Exception {
        int[] raw = rawPair();
        try (SocketPair pair = SocketPair.open()) {
            int fd = pair.first().fd();
            pair.first().close();
            // A new socket under the same number, as any later open may get it.
            int reused;
            try (Arena arena = Arena.ofConfined()) {
                reused = Syscalls.fcntl(raw[0], C.constant("F_DUPFD_CLOEXEC"), fd, Syscalls.allocateErrnoCapture(arena));
            }
            assertThat(reused).isEqualTo(fd);
            try (UnixSocketChannel adopted = UnixSocketChannel.adopt(reused)) {
                adopted.write(ByteBuffer.wrap(new byte[] {3}));
                assertThat(RawFd.read(raw[1], 1)).containsExactly(3);
            }
            assertThat(ProcFd.target(fd)).isNull();
        } finally {
            RawFd.close(raw);
        }
    }

    @Test
    void aDescriptorAReceivedMessageHoldsIsRefusedUntilTheMessageGivesItAway() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET); SocketPair sent = SocketPair.open()) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), sent.first().fd(), sent.first().fd());
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 2)) {
                int held = message.descriptor(0);
                assertThatThrownBy(() -> UnixSocketChannel.adopt(held))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("descriptor " + held + " is already owned by a ReceivedMessage");

                try (UnixSocketChannel adopted = message.adoptChannel(0)) {
                    assertThatThrownBy(() -> UnixSocketChannel.adopt(held))
                            .isInstanceOf(IllegalArgumentException.class)
                            .hasMessage("descriptor " + held + " is already owned by a UnixSocketChannel");
                    adopted.write(ByteBuffer.wrap(new byte[] {8}));
                    ByteBuffer in = ByteBuffer.allocate(1);
                    assertThat(sent.second().read(in)).isOne();
                    assertThat(in.get(0)).isEqualTo((byte) 8);
                }

                int taken = message.takeDescriptor(1);
                try (UnixSocketChannel adopted = UnixSocketChannel.adopt(taken)) {
                    assertThat(adopted.fd()).isEqualTo(taken);
                }
            }
        }
    }

    @Test
    void theWakeUpSocketsOfASelectorAreRefused() throws Exception {
        Map<Integer, String> before = ProcFd.sockets();
        try (Selector selector = UnixSocketChannel.openSelector()) {
            Map<Integer, String> sockets = ProcFd.sockets();
            sockets.keySet().removeAll(before.keySet());
            assertThat(sockets).hasSize(2);
            for (int fd : sockets.keySet()) {
                assertThatThrownBy(() -> UnixSocketChannel.adopt(fd))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("descriptor " + fd + " is already owned by a UnixSelector");
            }
            selector.wakeup();
            assertThat(selector.select()).isZero();
        }
    }

    @Test
    void ofTwoThreadsAdoptingOneDescriptorExactlyOneOwnsIt() throws Exception {
        for (int round = 0; round < 100; round++) {
            int[] raw = rawPair();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<UnixSocketChannel>> outcomes = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                outcomes.add(Concurrently.start(i == 1, () -> {
                    start.await();
                    return UnixSocketChannel.adopt(raw[0]);
                }));
            }
            start.countDown();
            List<UnixSocketChannel> owners = new ArrayList<>();
            List<Throwable> refusals = new ArrayList<>();
            for (CompletableFuture<UnixSocketChannel> outcome : outcomes) {
                try {
                    owners.add(Concurrently.await(outcome));
                } catch (ExecutionException e) {
                    refusals.add(e.getCause());
                }
            }
            assertThat(owners).as("round %d", round).hasSize(1);
            assertThat(refusals).singleElement().isInstanceOf(IllegalArgumentException.class);
            owners.get(0).close();
            RawFd.close(raw[1]);
        }
    }

    private static int[] rawPair() {
        return RawFd.socketpair(C.constant("AF_UNIX"), C.constant("SOCK_STREAM") | C.constant("SOCK_CLOEXEC"));
    }
}

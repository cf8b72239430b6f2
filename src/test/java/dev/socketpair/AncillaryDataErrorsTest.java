package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sending and receiving with ancillary data: arguments refused before any system call, errno paths, and
 * the channel's blocking, close and interrupt protocol on platform and virtual threads.
 *
 * <p>Errno paths that cannot be provoked here, each an {@link ErrnoException} naming the call:
 * <ul>
 * <li>sendmsg(2) {@code ETOOMANYREFS}: Linux refuses descriptors in flight beyond the sender's
 *     {@code RLIMIT_NOFILE} only for a process without {@code CAP_SYS_RESOURCE} or
 *     {@code CAP_SYS_ADMIN}; reaching it would mean tens of thousands of descriptors in flight, and the
 *     tests may run as root, where the check does not apply. It takes the same path as {@code EPIPE}
 *     below.</li>
 * <li>sendmsg(2) and recvmsg(2) {@code ENOMEM}, {@code ENOBUFS}: the kernel out of memory.</li>
 * <li>recvmsg(2) {@code EFAULT}: the library passes only its own memory; on a descriptor a channel
 *     owns it is an {@link AssertionError}, as for every call.</li>
 * </ul>
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AncillaryDataErrorsTest {

    @Test
    void aDescriptorThatIsNotOpenFailsWithEbadfNamingSendmsg() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            // No process has a descriptor this high: the limit of open files is far lower.
            assertThatThrownBy(() -> pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), Integer.MAX_VALUE))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessage("sendmsg: EBADF (Bad file descriptor)");
            // Nothing went, and the channel still works.
            pair.first().write(ByteBuffer.wrap(new byte[] {3}));
            ByteBuffer b = ByteBuffer.allocate(4);
            assertThat(pair.second().read(b)).isOne();
        }
    }

    @Test
    void sendingToAPeerThatHasGoneFailsWithEpipe() throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            pair.second().close();
            assertThatThrownBy(() -> pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), pipe[0]))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessage("Broken pipe");
        } finally {
            RawFd.close(pipe);
        }
    }

    @Test
    void aDatagramLargerThanTheSendBufferFailsWithEmsgsize() throws Exception {
        CredentialsSupport.assumeSent();
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
            int size = pair.first().getOption(StandardSocketOptions.SO_SNDBUF) * 2;
            assertThatThrownBy(() -> pair.first().sendCredentials(ByteBuffer.allocate(size)))
                    .isInstanceOf(ErrnoException.class)
                    .satisfies(e -> assertThat(((ErrnoException) e).errnoName()).isEqualTo("EMSGSIZE"));
        }
    }

    @Test
    void receivingAfterThePeerClosedWithDataUnreadFailsWithEconnreset() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            pair.second().close();
            assertThatThrownBy(() -> pair.first().receive(ByteBuffer.allocate(4), 1))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessage("Connection reset");
        }
    }

    @Test
    void argumentsAreCheckedBeforeAnySystemCall() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            ByteBuffer one = ByteBuffer.wrap(new byte[1]);
            assertThatThrownBy(() -> pair.first().sendDescriptors(one, -1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("negative descriptor: -1");
            assertThatThrownBy(() -> pair.first().sendDescriptors(one, (int[]) null))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> pair.first().sendChannels(one, new UnixSocketChannel[254]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> pair.first().sendChannels(one, (UnixSocketChannel) null))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> pair.second().receive(ByteBuffer.allocate(1).asReadOnlyBuffer(), 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("Read-only buffer");
            assertThatThrownBy(() -> pair.second().receive(ByteBuffer.allocate(1), -1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> pair.second().receive(ByteBuffer.allocate(1), 254))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(one.position()).isZero();
        }
    }

    @Test
    void aClosedChannelOrShutDownOutputThrowsClosedChannelException() throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(); SocketPair other = SocketPair.open()) {
            pair.first().shutdownOutput();
            assertThatThrownBy(() -> pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), pipe[0]))
                    .isInstanceOf(ClosedChannelException.class);
            pair.close();
            List<ThrowingCall> calls = new ArrayList<>(List.of(
                    () -> pair.second().sendDescriptors(ByteBuffer.wrap(new byte[1]), pipe[0]),
                    () -> pair.second().sendChannels(ByteBuffer.wrap(new byte[1]), other.first()),
                    () -> pair.second().receive(ByteBuffer.allocate(1), 1),
                    () -> pair.second().peerCredentials()));
            // Where no credentials go with messages, sendCredentials refuses before it looks at the channel
            // (NoCredentialsInMessagesTest).
            if (CredentialsSupport.sent()) {
                calls.add(() -> pair.second().sendCredentials(ByteBuffer.wrap(new byte[1])));
            }
            for (ThrowingCall call : calls) {
                assertThatThrownBy(call::run).isInstanceOf(ClosedChannelException.class);
            }
            // The channel given to a failed send stays open.
            assertThat(other.first().isOpen()).isTrue();
        } finally {
            RawFd.close(pipe);
        }
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aBlockedReceiveGetsTheDescriptorsSentLater(boolean virtual) throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            var receiving = Concurrently.startBlocked(virtual, () -> {
                try (ReceivedMessage m = pair.second().receive(ByteBuffer.allocate(4), 1)) {
                    RawFd.write(m.descriptor(0), (byte) 8);
                    return m.length();
                }
            });
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1, 2}), pipe[1]);
            assertThat(Concurrently.await(receiving.outcome())).isEqualTo(2);
            assertThat(RawFd.read(pipe[0], 1)).containsExactly(8);
        } finally {
            RawFd.close(pipe);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closingAChannelBlockedInReceiveThrowsAsynchronousCloseException(boolean virtual) throws Exception {
        Map<Integer, String> before = RawFd.open();
        try (SocketPair pair = SocketPair.open()) {
            var receiving = Concurrently.startBlocked(virtual, () -> pair.second().receive(ByteBuffer.allocate(4), 4));
            pair.second().close();
            assertThatThrownBy(() -> Concurrently.await(receiving.outcome()))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isExactlyInstanceOf(AsynchronousCloseException.class);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void interruptingABlockedReceiveClosesTheChannel(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            var receiving = Concurrently.startBlocked(virtual, () -> pair.second().receive(ByteBuffer.allocate(4), 4));
            receiving.thread().interrupt();
            assertThatThrownBy(() -> Concurrently.await(receiving.outcome()))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ClosedByInterruptException.class);
            assertThat(pair.second().isOpen()).isFalse();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aBlockingSendOnAFullStreamWaitsThenDeliversEverythingWithTheDescriptorsOnce(boolean virtual)
            throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            pair.first().setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            // Fill the socket so that the send must wait.
            pair.first().configureBlocking(false);
            long filled = 0;
            int n;
            while ((n = pair.first().write(ByteBuffer.allocate(4096))) > 0) {
                filled += n;
            }
            assertThat(pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[0]))
                    .as("a non-blocking send on a full socket sends nothing").isZero();
            pair.first().configureBlocking(true);
            byte[] payload = Bytes.random(new java.util.Random(3), 100_000);
            // The socket is full: the send cannot complete before the reads below drain it.
            var sending = Concurrently.start(virtual,
                    () -> pair.first().sendDescriptors(ByteBuffer.wrap(payload), pipe[1]));
            ByteBuffer drain = ByteBuffer.allocate((int) filled);
            while (drain.hasRemaining()) {
                assertThat(pair.second().read(drain)).isPositive();
            }
            ByteBuffer rest = ByteBuffer.allocate(payload.length);
            int descriptors = 0;
            while (rest.hasRemaining()) {
                try (ReceivedMessage m = pair.second().receive(rest, 2)) {
                    descriptors += m.descriptorCount();
                    if (m.descriptorCount() > 0) {
                        RawFd.write(m.descriptor(0), (byte) 5);
                        assertThat(RawFd.read(pipe[0], 1)).containsExactly(5);
                    }
                }
            }
            assertThat(Concurrently.await(sending)).isEqualTo(payload.length);
            assertThat(rest.array()).isEqualTo(payload);
            assertThat(descriptors).isOne();
        } finally {
            RawFd.close(pipe);
        }
    }

    // A regression here would block threads in uninterruptible waits: the timeout runs the test in a
    // thread of its own, and the resources close in the order that releases a stuck send.
    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aChannelBeingSentClosesAtOnceWhileTheSendWaitsAndItsSocketStillGoes(boolean virtual) throws Exception {
        try (SocketPair sent = SocketPair.open(); SocketPair pair = SocketPair.open()) {
            long filled = fill(pair.first());
            var sending = Concurrently.startBlocked(virtual,
                    () -> pair.first().sendChannels(ByteBuffer.wrap(new byte[] {1}), sent.second()));
            // Closing the channel being sent must not wait for the send, which waits for room.
            closeWhileTheSendWaitsThenDrain(sent.second(), sending, pair.second(), filled);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 1);
                 UnixSocketChannel received = message.adoptChannel(0)) {
                sent.first().write(ByteBuffer.wrap(new byte[] {9}));
                ByteBuffer one = ByteBuffer.allocate(1);
                assertThat(received.read(one)).isOne();
                assertThat(one.get(0)).isEqualTo((byte) 9);
            }
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anInterruptedThreadSendingTheChannelItSendsOnGetsClosedByInterruptException(boolean virtual)
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            var outcome = Concurrently.start(virtual, () -> {
                Thread.currentThread().interrupt();
                return Concurrently.interruptOutcome(
                        () -> pair.first().sendChannels(ByteBuffer.wrap(new byte[] {1}), pair.first()), "sent");
            });
            assertThat(Concurrently.await(outcome)).isEqualTo("interrupted");
            assertThat(pair.first().isOpen()).isFalse();
        }
    }

    /**
     * Closes {@code closed} from another thread while {@code sending} waits for room, and checks that the
     * close did not wait for the send; then reads the {@code filled} bytes ahead of the message from
     * {@code reader} and checks that the send then sent its one byte.
     */
    static void closeWhileTheSendWaitsThenDrain(java.io.Closeable closed, Concurrently.Started<Integer> sending,
                                               UnixSocketChannel reader, long filled) throws Exception {
        var closing = Concurrently.start(false, () -> {
            closed.close();
            return null;
        });
        Concurrently.await(closing);
        assertThat(sending.outcome()).as("the send still waits for room").isNotDone();

        ByteBuffer drain = ByteBuffer.allocate((int) filled);
        while (drain.hasRemaining()) {
            assertThat(reader.read(drain)).isPositive();
        }
        assertThat(Concurrently.await(sending.outcome())).isOne();
    }

    /** Fills {@code channel}'s socket with non-blocking writes, leaves it blocking, returns the bytes. */
    static long fill(UnixSocketChannel channel) throws Exception {
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        channel.configureBlocking(false);
        long filled = 0;
        int n;
        while ((n = channel.write(ByteBuffer.allocate(4096))) > 0) {
            filled += n;
        }
        channel.configureBlocking(true);
        return filled;
    }

    @Test
    void aChannelWhoseSendFailedIsNotClosedBySendAndClose() throws Exception {
        try (SocketPair pair = SocketPair.open(); SocketPair other = SocketPair.open()) {
            pair.second().close();
            assertThatThrownBy(() -> pair.first().sendAndClose(ByteBuffer.wrap(new byte[1]), other.second()))
                    .isInstanceOf(ErrnoException.class);
            assertThat(other.second().isOpen()).isTrue();
        }
    }

    @Test
    void aNonBlockingSendAndCloseThatSendsNothingLeavesTheChannelOpen() throws Exception {
        Emulation.assumeNative(Emulation.SENDMSG_WITHOUT_IOVEC);
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC);
             SocketPair other = SocketPair.open()) {
            // Fill the peer's queue with datagrams until a send would block.
            int queued = 0;
            while (pair.first().write(ByteBuffer.allocate(1)) > 0) {
                queued++;
            }
            assertThat(queued).isPositive();
            assertThat(pair.first().sendAndClose(ByteBuffer.allocate(0), other.second())).isZero();
            assertThat(other.second().isOpen()).as("not sent, so not closed").isTrue();
            // Once there is room, the empty datagram goes and the channel is closed.
            pair.second().read(ByteBuffer.allocate(1));
            assertThat(pair.first().sendAndClose(ByteBuffer.allocate(0), other.second())).isZero();
            assertThat(other.second().isOpen()).isFalse();
        }
    }
}

package dev.socketpair;

import dev.socketpair.internal.PassPidfd;
import dev.socketpair.internal.RawMessages;
import dev.socketpair.internal.RawMessages.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Descriptors that arrive with data and that the library does not hand to the caller are closed at
 * once: the pidfd the kernel attaches once anyone sharing the socket has set {@code SO_PASSPIDFD}, and
 * {@code SCM_RIGHTS} descriptors beyond a receive's limit however the sender split them; reads that pass
 * no control buffer install none.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UndeliveredDescriptorsTest {

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void thePidfdTheKernelAttachesToEveryReceiveIsClosed(SocketType type) throws Exception {
        Map<Integer, String> before = RawFd.open();
        try (SocketPair pair = SocketPair.open(type)) {
            PassPidfd.enable(pair.second().fd());
            ByteBuffer buffer = ByteBuffer.allocate(1);
            for (int i = 0; i < 20; i++) {
                pair.first().write(ByteBuffer.wrap(new byte[] {(byte) i}));
                buffer.clear();
                try (ReceivedMessage message = pair.second().receive(buffer, 0)) {
                    assertThat(message.length()).isOne();
                    assertThat(message.descriptorCount()).isZero();
                }
                assertThat(buffer.get(0)).isEqualTo((byte) i);
            }
            assertThat(openPidfds()).isEmpty();
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void thePidfdIsClosedAndTheDescriptorsSentAreHandedOut() throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            PassPidfd.enable(pair.second().fd());
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[0], pipe[1]);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 2)) {
                assertThat(message.descriptorCount()).isEqualTo(2);
                assertThat(ProcFd.target(message.descriptor(0))).isEqualTo(ProcFd.target(pipe[0]));
                assertThat(ProcFd.target(message.descriptor(1))).isEqualTo(ProcFd.target(pipe[1]));
                assertThat(openPidfds()).isEmpty();
            }
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void thePidfdIsClosedWithTheDescriptorsBeyondALimitOfNone(SocketType type) throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(type)) {
            PassPidfd.enable(pair.second().fd());
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[0]);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 0)) {
                assertThat(message.length()).isOne();
                assertThat(message.descriptorCount()).isZero();
                assertThat(message.controlTruncated()).isTrue();
            }
            assertThat(openPidfds()).isEmpty();
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void withCredentialsPassedTooTheCredentialsArriveAndNoPidfdStaysOpen() throws Exception {
        CredentialsSupport.assumeSent();
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
            PassPidfd.enable(pair.second().fd());
            pair.second().setOption(UnixSocketOptions.SO_PASSCRED, true);
            for (int limit = 0; limit <= 3; limit++) {
                pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[0]);
                try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), limit)) {
                    assertThat(message.credentials()).contains(pair.first().peerCredentials());
                    assertThat(message.descriptorCount()).isEqualTo(Math.min(limit, 1));
                }
                assertThat(openPidfds()).as("limit %d", limit).isEmpty();
            }
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void readsThatPassNoControlBufferInstallNeitherDescriptorsNorAPidfd(SocketType type) throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(type)) {
            PassPidfd.enable(pair.second().fd());
            Map<Integer, String> before = RawFd.open();
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[0], pipe[1]);
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {2}), pipe[0], pipe[1]);
            ByteBuffer one = ByteBuffer.allocate(1);
            assertThat(pair.second().read(one)).isOne();
            ByteBuffer[] two = {ByteBuffer.allocate(1)};
            assertThat(pair.second().read(two)).isOne();
            assertThat(new byte[] {one.get(0), two[0].get(0)}).containsExactly(1, 2);
            assertThat(RawFd.open()).isEqualTo(before);
        } finally {
            RawFd.close(pipe);
        }
    }

    @Test
    void descriptorsOfTwoRightsMessagesInOneSendBeyondTheLimitAreClosed() throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            long sent = RawMessages.send(pair.first().fd(), new byte[] {7},
                    Message.rights(pipe[0], pipe[1]), Message.rights(pipe[1], pipe[0], pipe[1]));
            assertThat(sent).isOne();
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 1)) {
                assertThat(message.descriptorCount()).isOne();
                assertThat(message.controlTruncated()).isTrue();
                assertThat(ProcFd.target(message.descriptor(0))).isEqualTo(ProcFd.target(pipe[0]));
                Map<Integer, String> now = RawFd.open();
                now.keySet().removeAll(before.keySet());
                assertThat(now).hasSize(2 + 2 + 1);
            }
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    private static Map<Integer, String> openPidfds() {
        Map<Integer, String> open = ProcFd.list();
        open.values().removeIf(target -> !PassPidfd.isPidfd(target));
        return open;
    }
}

package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static dev.socketpair.CredentialsSupport.thisProcess;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Peer credentials (SO_PEERCRED), everywhere, and credentials sent with messages (SCM_CREDENTIALS,
 * SO_PASSCRED) where the system sends them; {@link NoCredentialsInMessagesTest} covers where it does not.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CredentialsTest {

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void peerCredentialsOfAPairMadeHereAreThisProcesssOwn(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            assertThat(pair.first().peerCredentials()).isEqualTo(thisProcess());
            assertThat(pair.second().getOption(UnixSocketOptions.SO_PEERCRED)).isEqualTo(thisProcess());
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void aReceiverWithPassCredentialsGetsTheSendersCredentialsWithEachMessage(SocketType type) throws Exception {
        CredentialsSupport.assumeSent();
        try (SocketPair pair = SocketPair.open(type)) {
            pair.second().setOption(UnixSocketOptions.SO_PASSCRED, true);
            pair.first().sendCredentials(ByteBuffer.wrap(Bytes.ascii("who")));
            // The kernel attaches them to a plain write too, once the receiver asks for them.
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("me")));
            ByteBuffer buffer = ByteBuffer.allocate(16);
            try (ReceivedMessage message = pair.second().receive(buffer, 0)) {
                assertThat(message.credentials()).contains(thisProcess());
                assertThat(message.controlTruncated()).isFalse();
            }
            if (type != SocketType.STREAM || buffer.position() < 5) {
                try (ReceivedMessage message = pair.second().receive(buffer, 0)) {
                    assertThat(message.credentials()).contains(thisProcess());
                }
            }
            assertThat(Bytes.ascii(buffer.flip())).isEqualTo("whome");
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void withoutPassCredentialsSentCredentialsAreNotDelivered(SocketType type) throws Exception {
        CredentialsSupport.assumeSent();
        try (SocketPair pair = SocketPair.open(type)) {
            assertThat(pair.second().getOption(UnixSocketOptions.SO_PASSCRED)).isFalse();
            pair.first().sendCredentials(ByteBuffer.wrap(Bytes.ascii("x")));
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(4), 0)) {
                assertThat(message.length()).isOne();
                assertThat(message.credentials()).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void credentialsAndDescriptorsArriveTogether(SocketType type) throws Exception {
        CredentialsSupport.assumeSent();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(type)) {
            pair.second().setOption(UnixSocketOptions.SO_PASSCRED, true);
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[1]);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(4), 1)) {
                assertThat(message.credentials()).contains(thisProcess());
                assertThat(message.descriptorCount()).isOne();
                assertThat(message.controlTruncated()).isFalse();
                RawFd.write(message.descriptor(0), (byte) 77);
                assertThat(RawFd.read(pipe[0], 1)).containsExactly(77);
            }
        } finally {
            RawFd.close(pipe);
        }
    }
}

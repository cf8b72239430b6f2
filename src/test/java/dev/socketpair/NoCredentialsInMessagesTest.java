package dev.socketpair;

import dev.socketpair.internal.SocketControl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.socketpair.CredentialsSupport.thisProcess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where the system sends no credentials with messages (macOS, the BSDs, and Linux in portable mode):
 * {@code sendCredentials} and {@code SO_PASSCRED} throw {@link UnsupportedOperationException} and change
 * nothing, no received message carries credentials, and {@code SO_PEERCRED} still names the peer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NoCredentialsInMessagesTest {

    private static final String NO_CREDENTIALS = "this system sends no credentials with messages";
    private static final String NO_PASSCRED = "'SO_PASSCRED' not supported: " + NO_CREDENTIALS;

    @BeforeEach
    void onlyWhereNoCredentialsGoWithMessages() {
        CredentialsSupport.assumeNotSent();
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void sendCredentialsThrowsUnsupportedOperationExceptionAndSendsNothing(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            ByteBuffer src = ByteBuffer.wrap(Bytes.ascii("who"));
            Map<Integer, String> before = RawFd.open();

            assertThatThrownBy(() -> pair.first().sendCredentials(src))
                    .isExactlyInstanceOf(UnsupportedOperationException.class)
                    .hasMessage(NO_CREDENTIALS);

            assertThat(RawFd.open()).as("descriptors").isEqualTo(before);
            assertThat(src.position()).as("bytes taken from the buffer").isZero();
            pair.second().configureBlocking(false);
            assertThat(pair.second().read(ByteBuffer.allocate(8))).as("what the peer got").isZero();
            // The channel still sends, with and without ancillary data.
            int[] pipe = RawFd.pipe(true);
            try {
                assertThat(pair.first().write(ByteBuffer.wrap(Bytes.ascii("me")))).isEqualTo(2);
                ByteBuffer got = ByteBuffer.allocate(8);
                assertThat(pair.second().read(got)).isEqualTo(2);
                assertThat(Bytes.ascii(got.flip())).isEqualTo("me");
                assertThat(pair.first().sendDescriptors(ByteBuffer.wrap(Bytes.ascii("!")), pipe[1])).isOne();
                try (ReceivedMessage message = pair.second().receive(got.clear(), 1)) {
                    assertThat(message.length()).isOne();
                    assertThat(message.descriptorCount()).isOne();
                }
            } finally {
                RawFd.close(pipe);
            }
        }
    }

    @Test
    void passCredentialsIsNotSupportedAndNeitherReadNorSet() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            assertThat(end.supportedOptions()).doesNotContain(UnixSocketOptions.SO_PASSCRED)
                    .contains(UnixSocketOptions.SO_PEERCRED);

            assertThatThrownBy(() -> end.getOption(UnixSocketOptions.SO_PASSCRED))
                    .isExactlyInstanceOf(UnsupportedOperationException.class).hasMessage(NO_PASSCRED);
            assertThatThrownBy(() -> end.setOption(UnixSocketOptions.SO_PASSCRED, false))
                    .isExactlyInstanceOf(UnsupportedOperationException.class).hasMessage(NO_PASSCRED);
            assertThatThrownBy(() -> end.setOption(UnixSocketOptions.SO_PASSCRED, true))
                    .isExactlyInstanceOf(UnsupportedOperationException.class).hasMessage(NO_PASSCRED);
            assertThat(SocketControl.intOption(end.fd(), SocketControl.IntOption.PASS_CREDENTIALS))
                    .as("the kernel's SO_PASSCRED after the refused set").isZero();
        }
    }

    /** As the JDK's channels refuse an option they do not support before they look at the channel. */
    @Test
    void onAClosedChannelTheRefusalComesFirst() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().close();
            assertThatThrownBy(() -> pair.first().sendCredentials(ByteBuffer.wrap(new byte[1])))
                    .isExactlyInstanceOf(UnsupportedOperationException.class).hasMessage(NO_CREDENTIALS);
            assertThatThrownBy(() -> pair.first().getOption(UnixSocketOptions.SO_PASSCRED))
                    .isExactlyInstanceOf(UnsupportedOperationException.class).hasMessage(NO_PASSCRED);
            assertThatThrownBy(() -> pair.first().setOption(UnixSocketOptions.SO_PASSCRED, true))
                    .isExactlyInstanceOf(UnsupportedOperationException.class).hasMessage(NO_PASSCRED);
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void receivedMessagesCarryNoCredentialsAndDescriptorsStillArrive(SocketType type) throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[1]);
            pair.first().write(ByteBuffer.wrap(new byte[] {2}));

            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 1)) {
                assertThat(message.length()).isOne();
                assertThat(message.credentials()).isEmpty();
                assertThat(message.descriptorCount()).isOne();
                assertThat(message.controlTruncated()).isFalse();
                RawFd.write(message.descriptor(0), (byte) 77);
                assertThat(RawFd.read(pipe[0], 1)).containsExactly(77);
            }
            ByteBuffer plain = ByteBuffer.allocate(4);
            try (ReceivedMessage message = pair.second().receive(plain, 1)) {
                assertThat(message.length()).isOne();
                assertThat(message.credentials()).isEmpty();
                assertThat(message.descriptorCount()).isZero();
                assertThat(plain.get(0)).isEqualTo((byte) 2);
            }
        } finally {
            RawFd.close(pipe);
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void peerCredentialsStillNameThisProcess(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            assertThatThrownBy(() -> pair.first().sendCredentials(ByteBuffer.wrap(new byte[1])))
                    .isExactlyInstanceOf(UnsupportedOperationException.class);
            assertThat(pair.first().peerCredentials()).isEqualTo(thisProcess());
            assertThat(pair.second().getOption(UnixSocketOptions.SO_PEERCRED)).isEqualTo(thisProcess());
        }
    }
}

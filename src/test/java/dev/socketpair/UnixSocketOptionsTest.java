package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The UNIX-domain options read back from the kernel; the read-only ones refuse to be set. */
class UnixSocketOptionsTest {

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void typeIsReadFromTheKernel(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            assertThat(pair.first().getOption(UnixSocketOptions.SO_TYPE)).isEqualTo(type);
        }
    }

    @Test
    void passCredentialsIsOffByDefaultAndReadsBackWhatWasSet() throws Exception {
        CredentialsSupport.assumeSent();
        try (SocketPair pair = SocketPair.open()) {
            assertThat(pair.first().getOption(UnixSocketOptions.SO_PASSCRED)).isFalse();
            pair.first().setOption(UnixSocketOptions.SO_PASSCRED, true);
            assertThat(pair.first().getOption(UnixSocketOptions.SO_PASSCRED)).isTrue();
            assertThat(pair.second().getOption(UnixSocketOptions.SO_PASSCRED)).isFalse();
            pair.first().setOption(UnixSocketOptions.SO_PASSCRED, false);
            assertThat(pair.first().getOption(UnixSocketOptions.SO_PASSCRED)).isFalse();
            assertThatThrownBy(() -> pair.first().setOption(UnixSocketOptions.SO_PASSCRED, null))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void noErrorIsPendingOnAHealthySocket() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            assertThat(pair.first().getOption(UnixSocketOptions.SO_ERROR)).isNull();
        }
    }

    /**
     * A connected socket whose peer is closed with bytes it never read has ECONNRESET pending (Linux's
     * unix_release_sock, and the BSDs' the same way): the option reports it once, and reading it clears it.
     */
    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"STREAM", "SEQPACKET"})
    void aPendingErrorIsReportedOnceAsTheErrnoExceptionOfGetsockopt(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            pair.second().close();
            ErrnoException pending = pair.first().getOption(UnixSocketOptions.SO_ERROR);
            assertThat(pending).isNotNull();
            assertThat(pending.errnoName()).isEqualTo("ECONNRESET");
            assertThat(pending.syscall()).isEqualTo("getsockopt");
            assertThat(pair.first().getOption(UnixSocketOptions.SO_ERROR)).as("cleared by the first read").isNull();
        }
    }

    /**
     * Code written for the JDK's channels sets every {@code Integer} and {@code Boolean} option a channel
     * lists (the JDK's own channels have no read-only option of either type): each of ours takes a value
     * and reads it back.
     */
    @ParameterizedTest
    @EnumSource(SocketType.class)
    void everyIntegerAndBooleanOptionListedCanBeSetAndRead(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel channel = pair.first();
            int checked = 0;
            for (SocketOption<?> option : channel.supportedOptions()) {
                if (option.type() == Integer.class) {
                    @SuppressWarnings("unchecked")
                    SocketOption<Integer> integer = (SocketOption<Integer>) option;
                    channel.setOption(integer, 10);
                    assertThat(channel.getOption(integer)).as(option.name()).isNotNull();
                    checked++;
                } else if (option.type() == Boolean.class) {
                    @SuppressWarnings("unchecked")
                    SocketOption<Boolean> bool = (SocketOption<Boolean>) option;
                    channel.setOption(bool, true);
                    assertThat(channel.getOption(bool)).as(option.name()).isTrue();
                    channel.setOption(bool, false);
                    assertThat(channel.getOption(bool)).as(option.name()).isFalse();
                    checked++;
                }
            }
            assertThat(checked).as("SO_SNDBUF, SO_RCVBUF and SO_LINGER at least").isGreaterThanOrEqualTo(3);
        }
    }

    /**
     * The credentials are those of the process that made the peer socket, not of the one asking: a
     * child makes a pair and sends one end here.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void peerCredentialsNameTheProcessThatMadeThePeer() throws Exception {
        Children.withEndMadeByChild("", List.of(), (child, fromChild) -> {
            Credentials peer = fromChild.getOption(UnixSocketOptions.SO_PEERCRED);
            assertThat(peer.pid()).as("the child's pid").isEqualTo(child.pid()).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(fromChild.peerCredentials()).isEqualTo(peer);
        });
        try (SocketPair pair = SocketPair.open()) {
            assertThat(pair.first().getOption(UnixSocketOptions.SO_PEERCRED).pid())
                    .as("a pair made here").isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void readOnlyOptionsRefuseToBeSetAsTheJdkDoes() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Credentials mine = pair.first().peerCredentials();
            assertRefused(pair.first(), UnixSocketOptions.SO_PEERCRED, mine);
            assertRefused(pair.first(), UnixSocketOptions.SO_TYPE, SocketType.DGRAM);
            assertRefused(pair.first(), UnixSocketOptions.SO_ERROR, new ErrnoException("getsockopt", 1));
            assertThat(pair.first().getOption(UnixSocketOptions.SO_TYPE)).isEqualTo(SocketType.STREAM);
        }
    }

    private static <T> void assertRefused(UnixSocketChannel channel, SocketOption<T> option, T value) {
        assertThatThrownBy(() -> channel.setOption(option, value))
                .isInstanceOf(SocketException.class)
                .hasMessage("Attempt to set read only option " + option.name());
    }

    @Test
    void optionsAreNamedAfterTheirConstantsAndListedAsSupported() throws Exception {
        assertThat(UnixSocketOptions.SO_PEERCRED.name()).isEqualTo("SO_PEERCRED");
        assertThat(UnixSocketOptions.SO_PEERCRED.type()).isEqualTo(Credentials.class);
        assertThat(UnixSocketOptions.SO_PASSCRED).hasToString("SO_PASSCRED");
        try (SocketPair pair = SocketPair.open()) {
            assertThat(pair.first().supportedOptions()).contains(UnixSocketOptions.SO_PEERCRED,
                    UnixSocketOptions.SO_TYPE, UnixSocketOptions.SO_ERROR);
            assertThat(pair.first().supportedOptions().contains(UnixSocketOptions.SO_PASSCRED))
                    .as("SO_PASSCRED where credentials go with messages").isEqualTo(CredentialsSupport.sent());
        }
    }

    @Test
    void optionsOfAClosedChannelThrowClosedChannelException() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().close();
            assertThatThrownBy(() -> pair.first().getOption(UnixSocketOptions.SO_PEERCRED))
                    .isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> pair.first().peerCredentials()).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> pair.first().setOption(StandardSocketOptions.SO_SNDBUF, 4096))
                    .isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void passCredentialsOfAClosedChannelThrowsClosedChannelException() throws Exception {
        CredentialsSupport.assumeSent();
        try (SocketPair pair = SocketPair.open()) {
            pair.first().close();
            assertThatThrownBy(() -> pair.first().setOption(UnixSocketOptions.SO_PASSCRED, true))
                    .isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> pair.first().getOption(UnixSocketOptions.SO_PASSCRED))
                    .isInstanceOf(ClosedChannelException.class);
        }
    }
}

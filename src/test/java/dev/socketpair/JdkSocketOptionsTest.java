package dev.socketpair;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The options the JDK's own UNIX-domain SocketChannel supports, answered as it answers them: jdk.net's
 * {@code SO_PEERCRED} and {@code SO_LINGER}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JdkSocketOptionsTest {

    @Test
    void supportedOptionsHoldJdkNetsPeerCredentialsBesideTheLibrarysAndLinger() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            assertThat(pair.first().supportedOptions()).contains(ExtendedSocketOptions.SO_PEERCRED,
                    UnixSocketOptions.SO_PEERCRED, StandardSocketOptions.SO_LINGER);
        }
        try (JdkUnixPair jdk = JdkUnixPair.open()) {
            assertThat(jdk.client().supportedOptions()).as("the JDK's own channel")
                    .contains(ExtendedSocketOptions.SO_PEERCRED, StandardSocketOptions.SO_LINGER);
        }
    }

    @Test
    void jdkPeerCredentialsOfAPairMadeHereAreThoseTheJdksOwnChannelReports(@TempDir Path directory) throws Exception {
        try (SocketPair pair = SocketPair.open(); JdkUnixPair jdk = JdkUnixPair.open()) {
            UnixDomainPrincipal expected = jdk.client().getOption(ExtendedSocketOptions.SO_PEERCRED);
            UnixDomainPrincipal principal = pair.first().getOption(ExtendedSocketOptions.SO_PEERCRED);

            assertThat(principal).isEqualTo(expected);
            assertThat(principal.user().getName()).isEqualTo(expected.user().getName());
            assertThat(principal.group().getName()).isEqualTo(expected.group().getName());
            Path file = Files.createFile(directory.resolve("mine"));
            assertThat(principal.user()).as("the owner of a file this process made").isEqualTo(Files.getOwner(file));
            assertThat(principal.user().getName()).isEqualTo(Files.getOwner(file).getName());
            assertThat(pair.first().getOption(UnixSocketOptions.SO_PEERCRED))
                    .as("the library's option of the same name").isInstanceOf(Credentials.class)
                    .isEqualTo(pair.first().peerCredentials());
        }
    }

    /**
     * A child that made its pair as another user and group hands an end over: the principal names that
     * user and group, as the JDK names a file's owner and group with those ids, by name where the user
     * and group databases have one and by number where they do not. Needs root, to change ids.
     */
    @ParameterizedTest(name = "uid {0}, gid {1}")
    @CsvSource({"65534, 65534", "54321, 54322"})
    void jdkPeerCredentialsNameTheUserAndGroupOfTheProcessThatMadeThePeer(int uid, int gid, @TempDir Path directory)
            throws Exception {
        Path file = Files.createFile(directory.resolve("theirs"));
        assumeThat(Files.getAttribute(file, "unix:uid")).as("running as root").isEqualTo(0);
        Files.setAttribute(file, "unix:gid", gid);
        Files.setAttribute(file, "unix:uid", uid);
        PosixFileAttributes owner = Files.readAttributes(file, PosixFileAttributes.class);

        Children.withEndMadeByChild("""
                os.setgroups([])
                os.setgid(int(sys.argv[2]))
                os.setuid(int(sys.argv[1]))
                """, List.of(String.valueOf(uid), String.valueOf(gid)), (child, fromChild) -> {
            UnixDomainPrincipal principal = fromChild.getOption(ExtendedSocketOptions.SO_PEERCRED);

            assertThat(principal.user()).isEqualTo(owner.owner());
            assertThat(principal.user().getName()).isEqualTo(owner.owner().getName());
            assertThat(principal.group()).isEqualTo(owner.group());
            assertThat(principal.group().getName()).isEqualTo(owner.group().getName());
            assertThat(fromChild.peerCredentials().uid()).isEqualTo(uid);
        });
    }

    @Test
    void jdkPeerCredentialsAreReadOnlyAndNeedAnOpenChannelAsTheLibrarysOwn() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixDomainPrincipal mine = pair.first().getOption(ExtendedSocketOptions.SO_PEERCRED);
            assertThatThrownBy(() -> pair.first().setOption(ExtendedSocketOptions.SO_PEERCRED, mine))
                    .isInstanceOf(SocketException.class)
                    .hasMessage("Attempt to set read only option SO_PEERCRED");
            pair.first().close();
            assertThatThrownBy(() -> pair.first().getOption(ExtendedSocketOptions.SO_PEERCRED))
                    .isInstanceOf(ClosedChannelException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void lingerIsOffByDefaultAndReadsBackTheSecondsSet(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel end = pair.first();
            assertThat(end.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(-1);
            end.setOption(StandardSocketOptions.SO_LINGER, 5);
            assertThat(end.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(5);
            assertThat(pair.second().getOption(StandardSocketOptions.SO_LINGER)).as("the peer's own").isEqualTo(-1);
            end.setOption(StandardSocketOptions.SO_LINGER, -1);
            assertThat(end.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(-1);
            end.setOption(StandardSocketOptions.SO_LINGER, 0);
            assertThat(end.getOption(StandardSocketOptions.SO_LINGER)).isZero();
            end.setOption(StandardSocketOptions.SO_LINGER, -30);
            assertThat(end.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(-1);
        }
    }

    /**
     * Closing a UNIX-domain socket leaves what it wrote queued at the peer, so close has nothing to wait
     * for: with a minute's linger it returns at once (within the timeout), and the peer reads the bytes.
     */
    @ParameterizedTest
    @EnumSource(SocketType.class)
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void closeDoesNotWaitForThePeerToReadWhileLingering(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().setOption(StandardSocketOptions.SO_LINGER, 60);
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("unread")));
            pair.first().close();
            ByteBuffer received = ByteBuffer.allocate(16);
            assertThat(pair.second().read(received)).isEqualTo(6);
            assertThat(Bytes.ascii(received.flip())).isEqualTo("unread");
        }
    }

    /** The same values set on the JDK's own UNIX-domain channel and on an end read back the same. */
    @Test
    void lingerTakesAndGivesTheValuesTheJdksOwnChannelDoes() throws Exception {
        try (SocketPair pair = SocketPair.open(); JdkUnixPair jdk = JdkUnixPair.open()) {
            assertThat(pair.first().getOption(StandardSocketOptions.SO_LINGER))
                    .isEqualTo(jdk.client().getOption(StandardSocketOptions.SO_LINGER));
            for (int seconds : List.of(7, 0, -2, 65_535, 65_536, Integer.MAX_VALUE, Integer.MIN_VALUE)) {
                pair.first().setOption(StandardSocketOptions.SO_LINGER, seconds);
                jdk.client().setOption(StandardSocketOptions.SO_LINGER, seconds);
                assertThat(pair.first().getOption(StandardSocketOptions.SO_LINGER)).as("set to %d", seconds)
                        .isEqualTo(jdk.client().getOption(StandardSocketOptions.SO_LINGER));
            }
            assertThat(pair.first().getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(-1);
        }
    }

    @Test
    void lingerRefusesNullAndNeedsAnOpenChannel() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            assertThatThrownBy(() -> pair.first().setOption(StandardSocketOptions.SO_LINGER, null))
                    .isInstanceOf(IllegalArgumentException.class);
            pair.first().close();
            assertThatThrownBy(() -> pair.first().getOption(StandardSocketOptions.SO_LINGER))
                    .isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> pair.first().setOption(StandardSocketOptions.SO_LINGER, 1))
                    .isInstanceOf(ClosedChannelException.class);
        }
    }
}

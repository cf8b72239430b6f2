package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.libc.TestBindings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.SocketException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every error of the socketpair(2) seed pages that a user-space caller can provoke on Linux, with the
 * exact errno name Java reports. EMFILE needs a lowered descriptor limit and lives in
 * {@link DescriptorLimitTest}; EFAULT needs an invalid address, which only the internal layer can pass,
 * and lives in {@code SyscallsTest}; the rest cannot be provoked, and {@link ErrnoTranslationTest} has the
 * kernel report them on demand.
 */
class SocketpairErrorsTest {

    private static final CLibrary C = Platform.current().library();

    private static ErrnoException socketpairFailure(int domain, int type, int protocol) {
        ErrnoException e = catchThrowableOfType(ErrnoException.class, () -> SocketPair.open(domain, type, protocol).close());
        assertThat(e).as("socketpair(%d, %d, %d) must fail", domain, type, protocol).isNotNull()
                .isInstanceOf(SocketException.class);
        assertThat(e.syscall()).isEqualTo("socketpair");
        return e;
    }

    /** Checks that the call fails with {@code errno}, named {@code name}, and the message C would print. */
    private static void assertSocketpairFails(int domain, int type, int protocol, int errno, String name,
                                              String description) {
        ErrnoException e = socketpairFailure(domain, type, protocol);
        assertThat(e.errno()).as("socketpair(%d, %d, %d)", domain, type, protocol).isEqualTo(errno);
        assertThat(e.errnoName()).isEqualTo(name);
        assertThat(e).hasMessage("socketpair: " + name + " (" + description + ")");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 12345, -1})
    void socketpairRejectsUnknownDomainWithEafnosupport(int domain) {
        assertSocketpairFails(domain, C.constant("SOCK_STREAM"), 0, C.errno("EAFNOSUPPORT"), "EAFNOSUPPORT",
                "Address family not supported by protocol");
    }

    @Test
    void socketpairRejectsInetDomainWithEopnotsupp() {
        assertSocketpairFails(TestBindings.constant("AF_INET"), C.constant("SOCK_STREAM"), 0, C.errno("EOPNOTSUPP"), "EOPNOTSUPP",
                "Operation not supported");
    }

    @Test
    void socketpairRejectsInet6DomainWithEopnotsupp() {
        assertSocketpairFails(TestBindings.constant("AF_INET6"), C.constant("SOCK_DGRAM"), 0, C.errno("EOPNOTSUPP"), "EOPNOTSUPP",
                "Operation not supported");
    }

    @Test
    void socketpairOnTipcFailsWithEafnosupportOrEopnotsupp() {
        // AF_TIPC, named by the Linux page: EAFNOSUPPORT where the tipc module is not loaded (as here),
        // EOPNOTSUPP where it is, since TIPC sockets have no socketpair operation either.
        ErrnoException e = socketpairFailure(TestBindings.constant("AF_TIPC"), C.constant("SOCK_SEQPACKET"), 0);
        assertThat(e.errnoName()).isIn("EAFNOSUPPORT", "EOPNOTSUPP");
        assertThat(e.errno()).isIn(C.errno("EAFNOSUPPORT"), C.errno("EOPNOTSUPP"));
    }

    @Test
    void socketpairRejectsUnknownProtocolWithEprotonosupport() {
        assertSocketpairFails(C.constant("AF_UNIX"), C.constant("SOCK_STREAM"), 5, C.errno("EPROTONOSUPPORT"), "EPROTONOSUPPORT",
                "Protocol not supported");
    }

    @Test
    void socketpairRejectsTypesUnixSocketsLackWithEsocktnosupport() {
        for (int type : new int[] {TestBindings.constant("SOCK_RDM"), TestBindings.constant("SOCK_PACKET"), TestBindings.constant("SOCK_DCCP"), 0}) {
            assertSocketpairFails(C.constant("AF_UNIX"), type, 0, C.errno("ESOCKTNOSUPPORT"), "ESOCKTNOSUPPORT",
                    "Socket type not supported");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {99, -1, 1 << 8})
    void socketpairRejectsInvalidTypeBitsWithEinval(int bits) {
        Emulation.assumeNative(Emulation.SOCKET_TYPE_REWRITTEN);
        int type = bits == 1 << 8 ? C.constant("SOCK_STREAM") | bits : bits;
        assertSocketpairFails(C.constant("AF_UNIX"), type, 0, C.errno("EINVAL"), "EINVAL", "Invalid argument");
    }

    @Test
    void unixRawSocketpairIsMadeAsDatagramPair() throws Exception {
        try (SocketPair pair = SocketPair.open(C.constant("AF_UNIX"), TestBindings.constant("SOCK_RAW"), 0)) {
            assertThat(pair.first().type()).isEqualTo(SocketType.DGRAM);
            assertThat(pair.second().type()).isEqualTo(SocketType.DGRAM);
        }
    }

    @Test
    void thePublicAfUnixIsTheSystemsAndOpensAPairOfThatFamily() throws Exception {
        assertThat(SocketPair.AF_UNIX).isEqualTo(C.constant("AF_UNIX"));
        try (SocketPair pair = SocketPair.open(SocketPair.AF_UNIX, SocketType.STREAM.value(), 0)) {
            assertThat(SocketControl.intOption(pair.first().fd(), SocketControl.IntOption.DOMAIN))
                    .as("SO_DOMAIN, read back").isEqualTo(C.constant("AF_UNIX"));
        }
    }

    @Test
    void localIsAnotherNameForUnix() throws Exception {
        try (SocketPair pair = SocketPair.open(TestBindings.constant("AF_LOCAL"), C.constant("SOCK_SEQPACKET"), 0)) {
            assertThat(pair.first().type()).isEqualTo(SocketType.SEQPACKET);
            assertThat(SocketControl.intOption(pair.first().fd(), SocketControl.IntOption.DOMAIN))
                    .as("SO_DOMAIN, read back").isEqualTo(C.constant("AF_UNIX"));
        }
    }

    @Test
    void failedSocketpairLeavesNoDescriptor() {
        var before = ProcFd.sockets();
        assertThatThrownBy(() -> SocketPair.open(TestBindings.constant("AF_INET"), C.constant("SOCK_STREAM"), 0))
                .isInstanceOf(ErrnoException.class);
        assertThat(ProcFd.sockets()).isEqualTo(before);
    }
}

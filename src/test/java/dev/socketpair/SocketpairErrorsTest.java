package dev.socketpair;

import dev.socketpair.internal.libc.ErrnoValues;
import dev.socketpair.internal.libc.Libc;
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
 * and lives in {@code SyscallsTest}; the rest are in {@link ErrnoTranslationTest}.
 */
class SocketpairErrorsTest {

    private static ErrnoException socketpairFailure(int domain, int type, int protocol) {
        ErrnoException e = catchThrowableOfType(ErrnoException.class, () -> SocketPair.open(domain, type, protocol).close());
        assertThat(e).as("socketpair(%d, %d, %d) must fail", domain, type, protocol).isNotNull();
        assertThat(e.syscall()).isEqualTo("socketpair");
        return e;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 12345, -1})
    void socketpairRejectsUnknownDomainWithEafnosupport(int domain) {
        ErrnoException e = socketpairFailure(domain, Libc.SOCK_STREAM(), 0);
        assertThat(e.errnoName()).isEqualTo("EAFNOSUPPORT");
        assertThat(e.errno()).isEqualTo(ErrnoValues.EAFNOSUPPORT());
        assertThat(e.getMessage()).isEqualTo("socketpair: EAFNOSUPPORT (Address family not supported by protocol)");
    }

    @Test
    void socketpairRejectsInetDomainWithEopnotsupp() {
        ErrnoException e = socketpairFailure(Libc.AF_INET(), Libc.SOCK_STREAM(), 0);
        assertThat(e.errnoName()).isEqualTo("EOPNOTSUPP");
        assertThat(e.getMessage()).isEqualTo("socketpair: EOPNOTSUPP (Operation not supported)");
        assertThat(e).isInstanceOf(SocketException.class);
    }

    @Test
    void socketpairRejectsInet6DomainWithEopnotsupp() {
        assertThat(socketpairFailure(Libc.AF_INET6(), Libc.SOCK_DGRAM(), 0).errnoName()).isEqualTo("EOPNOTSUPP");
    }

    @Test
    void socketpairOnTipcFailsWithEafnosupportOrEopnotsupp() {
        // AF_TIPC, named by the Linux page: EAFNOSUPPORT where the tipc module is not loaded (as here),
        // EOPNOTSUPP where it is, since TIPC sockets have no socketpair operation either.
        assertThat(socketpairFailure(Libc.AF_TIPC(), Libc.SOCK_SEQPACKET(), 0).errnoName())
                .isIn("EAFNOSUPPORT", "EOPNOTSUPP");
    }

    @Test
    void socketpairRejectsUnknownProtocolWithEprotonosupport() {
        ErrnoException e = socketpairFailure(Libc.AF_UNIX(), Libc.SOCK_STREAM(), 5);
        assertThat(e.errnoName()).isEqualTo("EPROTONOSUPPORT");
        assertThat(e.getMessage()).isEqualTo("socketpair: EPROTONOSUPPORT (Protocol not supported)");
    }

    @Test
    void socketpairRejectsTypesUnixSocketsLackWithEsocktnosupport() {
        for (int type : new int[] {Libc.SOCK_RDM(), Libc.SOCK_PACKET(), Libc.SOCK_DCCP(), 0}) {
            assertThat(socketpairFailure(Libc.AF_UNIX(), type, 0).errnoName()).as("type %d", type)
                    .isEqualTo("ESOCKTNOSUPPORT");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {99, -1, 1 << 8})
    void socketpairRejectsInvalidTypeBitsWithEinval(int bits) {
        int type = bits == 1 << 8 ? Libc.SOCK_STREAM() | bits : bits;
        assertThat(socketpairFailure(Libc.AF_UNIX(), type, 0).errnoName()).isEqualTo("EINVAL");
    }

    @Test
    void unixRawSocketpairIsMadeAsDatagramPair() throws Exception {
        try (SocketPair pair = SocketPair.open(Libc.AF_UNIX(), Libc.SOCK_RAW(), 0)) {
            assertThat(pair.first().type()).isEqualTo(SocketType.DGRAM);
            assertThat(pair.second().type()).isEqualTo(SocketType.DGRAM);
        }
    }

    @Test
    void localIsAnotherNameForUnix() throws Exception {
        assertThat(Libc.AF_LOCAL()).isEqualTo(Libc.AF_UNIX());
        try (SocketPair pair = SocketPair.open(Libc.AF_LOCAL(), Libc.SOCK_SEQPACKET(), 0)) {
            assertThat(pair.first().type()).isEqualTo(SocketType.SEQPACKET);
        }
    }

    @Test
    void failedSocketpairLeavesNoDescriptor() {
        var before = DescriptorLeakCheck.sockets();
        assertThatThrownBy(() -> SocketPair.open(Libc.AF_INET(), Libc.SOCK_STREAM(), 0))
                .isInstanceOf(ErrnoException.class);
        assertThat(DescriptorLeakCheck.sockets()).isEqualTo(before);
    }
}

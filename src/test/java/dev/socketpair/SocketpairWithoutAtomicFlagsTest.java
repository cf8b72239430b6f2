package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.Errno;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.SocketControl.OpenedPair;
import dev.socketpair.internal.Syscalls;
import dev.socketpair.internal.platform.Features;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * socketpair(2) where the system has no {@code SOCK_CLOEXEC} and {@code SOCK_NONBLOCK} (macOS): the
 * pair is made with the plain type and the flags are set with fcntl(2) on both ends, read back here
 * from the kernel; an fcntl that fails leaves nothing open. {@link SocketControl#openPair(int, int, int,
 * boolean)} is made to take that way in every run; {@link SocketPair#open} takes it in portable mode.
 */
class SocketpairWithoutAtomicFlagsTest {

    private static final CLibrary C = Platform.current().library();

    private static final int FLAG_BITS = C.constant("SOCK_CLOEXEC") | C.constant("SOCK_NONBLOCK");
    private static final int INJECTED = C.errno("EPERM");

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.socketpair.SocketFlagsTest#typesAndFlagSets")
    void fcntlSetsExactlyTheFlagsAskedOnBothEnds(SocketType type, Set<SocketFlag> flags) {
        OpenedPair pair = SocketControl.openPair(C.constant("AF_UNIX"), type.value() | SocketFlag.bits(flags), 0, false);

        assertThat(pair.failedCall()).isNull();
        try {
            for (int fd : new int[] {pair.first(), pair.second()}) {
                assertThat(Kernel.closeOnExec(fd)).as("FD_CLOEXEC of %d", fd).isEqualTo(flags.contains(SocketFlag.CLOEXEC));
                assertThat(Kernel.nonBlocking(fd)).as("O_NONBLOCK of %d", fd).isEqualTo(flags.contains(SocketFlag.NONBLOCK));
                assertThat(SocketControl.intOption(fd, SocketControl.IntOption.TYPE)).isEqualTo(type.value());
            }
        } finally {
            RawFd.close(pair.first(), pair.second());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theFlagBitsNeverReachTheKernel() throws Exception {
        // A kernel that does not know the flags refuses them in the type: this one is made to.
        int type = C.constant("SOCK_STREAM") | FLAG_BITS;
        OpenedPair[] opened = InjectedErrno.failingCalls(C.errno("EINVAL"), () -> new OpenedPair[] {
                SocketControl.openPair(C.constant("AF_UNIX"), type, 0, true),
                SocketControl.openPair(C.constant("AF_UNIX"), type, 0, false)}, (long) C.constant("AF_UNIX"), (long) type);

        assertThat(opened[0].failedCall()).as("the kernel's refusal, with atomic flags").isEqualTo("socketpair");
        assertThat(Errno.name(opened[0].errno())).isEqualTo("EINVAL");
        assertThat(opened[1].failedCall()).isNull();
        try {
            assertThat(Kernel.closeOnExec(opened[1].first())).isTrue();
            assertThat(Kernel.nonBlocking(opened[1].second())).isTrue();
        } finally {
            RawFd.close(opened[1].first(), opened[1].second());
        }
    }

    @ParameterizedTest(name = "atomic flags {0}")
    @ValueSource(booleans = {true, false})
    void typeBitsBesidesTheFlagsStillGoToTheKernel(boolean atomicFlags) {
        Emulation.assumeNative(Emulation.SOCKET_TYPE_REWRITTEN);
        int unknownBit = Integer.highestOneBit(FLAG_BITS) << 1;

        OpenedPair pair = SocketControl.openPair(C.constant("AF_UNIX"),
                C.constant("SOCK_STREAM") | C.constant("SOCK_CLOEXEC") | unknownBit, 0, atomicFlags);

        assertThat(pair.failedCall()).isEqualTo("socketpair");
        assertThat(Errno.name(pair.errno())).isEqualTo("EINVAL");
    }

    @ParameterizedTest(name = "{0} fails")
    @ValueSource(strings = {"F_SETFD", "F_SETFL"})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aFailedFcntlClosesBothDescriptorsAndIsReportedAsFcntl(String command) throws Exception {
        Set<Integer> before = ProcFd.sockets().keySet();

        OpenedPair pair = InjectedErrno.failingCalls(INJECTED,
                () -> SocketControl.openPair(C.constant("AF_UNIX"), C.constant("SOCK_STREAM") | FLAG_BITS, 0, false),
                fcntlCall(command));

        assertThat(pair.failedCall()).isEqualTo("fcntl");
        assertThat(pair.errno()).isEqualTo(INJECTED);
        assertThat(ProcFd.sockets().keySet()).isEqualTo(before);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void inPortableModeOpenThrowsTheFailedFcntlsErrnoAndLeavesNothingOpen() throws Exception {
        assumeThat(Features.atomicSocketFlags()).as("only where socketpair(2) cannot apply the flags itself")
                .isFalse();
        Set<Integer> before = ProcFd.sockets().keySet();

        ErrnoException e = InjectedErrno.failingCalls(INJECTED, () -> catchThrowableOfType(ErrnoException.class,
                () -> SocketPair.open(SocketType.SEQPACKET, SocketFlag.CLOEXEC)), fcntlCall("F_SETFD"));

        assertThat(e.syscall()).isEqualTo("fcntl");
        assertThat(e.errnoName()).isEqualTo("EPERM");
        assertThat(ProcFd.sockets().keySet()).isEqualTo(before);
    }

    /**
     * The arguments of the fcntl that sets {@code command}'s flag on a new socket, on any descriptor:
     * close(2) of the same descriptor does not match, so the failure cannot keep it open.
     */
    private static Long[] fcntlCall(String command) {
        if (command.equals("F_SETFD")) {
            return new Long[] {null, (long) C.constant("F_SETFD"), (long) C.constant("FD_CLOEXEC")};
        }
        int[] fds = RawFd.socketpair(C.constant("AF_UNIX"), C.constant("SOCK_STREAM"));
        try (Arena arena = Arena.ofConfined()) {
            int statusFlags = Syscalls.fcntl(fds[0], C.constant("F_GETFL"), 0, Syscalls.allocateErrnoCapture(arena));
            assertThat(statusFlags).isNotNegative();
            return new Long[] {null, (long) C.constant("F_SETFL"), (long) (statusFlags | C.constant("O_NONBLOCK"))};
        } finally {
            RawFd.close(fds);
        }
    }
}

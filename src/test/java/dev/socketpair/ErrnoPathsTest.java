package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The errno paths of the channel that the other tests do not walk. Those reachable are provoked here.
 * The others cannot be provoked from a test, and the kernel is made to report them on demand
 * ({@link InjectedErrno}, on the channel's descriptor), so that each call's real error path runs:
 * <ul>
 * <li>fcntl(2) F_GETFL/F_SETFL/F_GETFD/F_SETFD on an open descriptor fails only with EBADF
 *     (F_DUPFD_CLOEXEC fails with EMFILE too, which {@link DescriptorLimitTest} provokes);</li>
 * <li>shutdown(2) on a connected AF_UNIX socket fails only with EBADF, ENOTSOCK or EINVAL (a bad
 *     {@code how}), none possible here;</li>
 * <li>getsockopt/setsockopt(2) of the options a channel has (SO_SNDBUF, SO_RCVBUF, SO_TYPE, SO_DOMAIN,
 *     SO_PEERCRED, SO_PASSCRED) fail only with EBADF, EFAULT or ENOPROTOOPT, impossible for these;</li>
 * <li>getsockname/getpeername(2) fail on a valid socket only with ENOBUFS, when the kernel is out
 *     of memory;</li>
 * <li>EBADF and EFAULT on a descriptor a channel holds open mean that the number was closed behind the
 *     channel's back or that the library passed a bad address: closing a channel's number under it
 *     would let the process reuse the number for another file mid-test, and the library only passes
 *     memory it allocated.</li>
 * </ul>
 * poll(2) runs only when another holder of the socket set O_NONBLOCK under a blocking channel, and
 * fails then only with ENOMEM; close(2) fails with EIO only on file systems that report late write
 * errors, never on sockets, and closes the descriptor all the same, which an injected failure would not.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ErrnoPathsTest {

    private static final CLibrary C = Platform.current().library();

    @Test
    void scatteringReadReportsRecvmsgFailures() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            pair.second().close();
            ErrnoException e = catchThrowableOfType(ErrnoException.class,
                    () -> pair.first().read(new ByteBuffer[] {ByteBuffer.allocate(1), ByteBuffer.allocateDirect(1)}));
            assertThat(e.errnoName()).isEqualTo("ECONNRESET");
            assertThat(e.syscall()).isEqualTo("recvmsg");
        }
    }

    @Test
    void segmentWriteReportsSendFailures() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            pair.second().close();
            ErrnoException e = catchThrowableOfType(ErrnoException.class,
                    () -> pair.first().write(java.lang.foreign.MemorySegment.ofArray(new byte[3])));
            assertThat(e.errnoName()).isEqualTo("EPIPE");
        }
    }

    @Test
    void aFailedShutdownNamesTheCallAndLeavesBothDirectionsWorking() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            assertFailure(end, "ENOMEM", "shutdown", end::shutdownInput);
            assertFailure(end, "ENOMEM", "shutdown", end::shutdownOutput);

            assertThat(end.toString()).doesNotContain("shut");
            pair.second().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(end.read(ByteBuffer.allocate(1))).as("input is not shut down").isEqualTo(1);
            assertThat(end.write(ByteBuffer.wrap(new byte[] {2}))).as("output is not shut down").isEqualTo(1);
            assertThat(pair.second().read(ByteBuffer.allocate(1))).isEqualTo(1);
        }
    }

    @Test
    void aFailedBlockingModeChangeNamesFcntlAndLeavesTheModeAndTheKernelFlag() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            assertFailure(end, "ENOMEM", "fcntl", () -> end.configureBlocking(false));
            assertThat(end.isBlocking()).isTrue();
            assertThat(Kernel.nonBlocking(end)).isFalse();

            assertFailure(end, "ENOMEM", "fcntl", () -> end.setCloseOnExec(false));
            assertThat(Kernel.closeOnExec(end)).isTrue();
            assertFailure(end, "ENOMEM", "fcntl", end::isCloseOnExec);
        }
    }

    @Test
    void failedOptionCallsNameGetsockoptOrSetsockoptAndChangeNothing() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            int sendBuffer = end.getOption(StandardSocketOptions.SO_SNDBUF);
            assertFailure(end, "ENOMEM", "setsockopt", () -> end.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer * 4));
            assertThat(end.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(sendBuffer);
            assertFailure(end, "ENOMEM", "getsockopt", () -> end.getOption(StandardSocketOptions.SO_RCVBUF));
            assertFailure(end, "ENOMEM", "getsockopt", end::peerCredentials);
        }
    }

    @Test
    void failedNameQueriesNameGetsocknameOrGetpeername() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            assertFailure(end, "ENOBUFS", "getsockname", end::getLocalAddress);
            assertFailure(end, "ENOBUFS", "getpeername", end::getRemoteAddress);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"EBADF", "EFAULT"})
    void ebadfOrEfaultOnAnOwnedDescriptorIsAnAssertionErrorNotAnIoError(String errnoName) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            UnixSocketChannel end = pair.first();
            Throwable thrown = InjectedErrno.failing(end.fd(), errno(errnoName),
                    () -> catchThrowable(() -> end.getOption(StandardSocketOptions.SO_SNDBUF)));
            assertThat(thrown).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("failed with " + errnoName + ": it was closed outside the channel");
            assertThat(thrown.getCause()).isInstanceOf(ErrnoException.class)
                    .hasMessageStartingWith("getsockopt: " + errnoName + " (");
            assertThat(end.isOpen()).isTrue();
        }
    }

    /**
     * Runs {@code operation} with every call on {@code channel}'s descriptor failing with {@code errnoName},
     * and checks that it throws the ErrnoException that names {@code syscall} and the errno.
     */
    private static void assertFailure(UnixSocketChannel channel, String errnoName, String syscall,
                                      Concurrently.Task<?> operation) throws Exception {
        int errno = errno(errnoName);
        ErrnoException e = InjectedErrno.failing(channel.fd(), errno,
                () -> catchThrowableOfType(ErrnoException.class, operation::run));
        assertThat(e).as("%s failing with %s", syscall, errnoName).isNotNull();
        assertThat(e.syscall()).isEqualTo(syscall);
        assertThat(e.errno()).isEqualTo(errno);
        assertThat(e.errnoName()).isEqualTo(errnoName);
        String description = switch (errnoName) {
            case "ENOMEM" -> "Cannot allocate memory";
            case "ENOBUFS" -> "No buffer space available";
            default -> throw new IllegalArgumentException(errnoName);
        };
        assertThat(e).hasMessage(syscall + ": " + errnoName + " (" + description + ")");
    }

    private static int errno(String name) throws ReflectiveOperationException {
        return (int) C.errno(name);
    }
}

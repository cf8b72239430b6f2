package dev.socketpair;

import dev.socketpair.internal.libc.ErrnoValues;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The errno paths of the channel that the other tests do not walk: those reachable are provoked here;
 * for the others, the test says why they cannot be, and checks what the translation would throw.
 */
class ErrnoPathsTest {

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

    /**
     * EBADF and EFAULT on a descriptor a channel holds open mean the number was closed behind the
     * channel's back or the library passed a bad address. Neither can be provoked safely: closing a
     * channel's number under it lets the process reuse the number for another file mid-test, and the
     * library only passes memory it allocated. The translation refuses to pass them off as I/O errors.
     */
    @Test
    void ebadfAndEfaultOnAnOwnedDescriptorAreAssertionErrors() {
        for (int errno : new int[] {ErrnoValues.EBADF(), ErrnoValues.EFAULT()}) {
            assertThatThrownBy(() -> Errors.onOwnDescriptor("fcntl", errno))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("closed outside the channel")
                    .cause().isInstanceOf(ErrnoException.class);
        }
    }

    /**
     * The remaining failures of the calls a channel makes cannot be provoked from a test, and become
     * {@link ErrnoException}s naming the call:
     * <ul>
     * <li>fcntl(2) F_GETFL/F_SETFL/F_GETFD/F_SETFD on an open descriptor fails only with EBADF
 *     (F_DUPFD_CLOEXEC fails with EMFILE too, which {@link DescriptorLimitTest} provokes);</li>
     * <li>shutdown(2) on a connected AF_UNIX socket fails only with EBADF, ENOTSOCK or EINVAL (a bad
     *     {@code how}), none possible here;</li>
     * <li>getsockopt/setsockopt(2) of SO_SNDBUF, SO_RCVBUF, SO_TYPE, SO_DOMAIN with an int fail only
     *     with EBADF, EFAULT or ENOPROTOOPT, impossible for these options;</li>
     * <li>getsockname/getpeername(2) fail on a valid socket only with ENOBUFS, when the kernel is out
     *     of memory;</li>
     * <li>poll(2) on two valid descriptors fails only with ENOMEM (EINTR is retried);</li>
     * <li>close(2) fails with EIO only on file systems that report late write errors, never sockets.</li>
     * </ul>
     */
    @Test
    void otherFailuresOfChannelCallsBecomeErrnoExceptionsNamingTheCall() {
        for (String syscall : new String[] {"fcntl", "shutdown", "getsockopt", "setsockopt", "getsockname",
                "getpeername", "poll", "close"}) {
            ErrnoException e = Errors.onOwnDescriptor(syscall, ErrnoValues.ENOMEM());
            assertThat(e.syscall()).isEqualTo(syscall);
            assertThat(e.getMessage()).isEqualTo(syscall + ": ENOMEM (Cannot allocate memory)");
        }
    }
}

package dev.socketpair;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Features;
import dev.socketpair.internal.platform.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Which calls a batch makes: one sendmmsg(2) or recvmmsg(2) where {@link Features#batchesMessages()}
 * says the system has them, a sendmsg(2) or recvmsg(2) per message where not (DragonFly, macOS, and
 * Linux in portable mode, in which the whole suite runs again), told apart by the call a failure names;
 * and a failure that ends a receive after its first messages, which either way the next read reports.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageBatchPathTest {

    private static final CLibrary C = Platform.current().library();

    @Test
    void batchesAreOneSystemCallOnLinuxExceptInPortableMode() {
        assertThat(Features.batchesMessages()).as("portable mode: %s", Boolean.getBoolean(Features.PORTABLE_PROPERTY))
                .isEqualTo(!Boolean.getBoolean(Features.PORTABLE_PROPERTY));
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aFailedBatchNamesTheCallThePathMakes(SocketType type) throws Exception {
        int enobufs = C.errno("ENOBUFS");
        try (SocketPair pair = SocketPair.open(type, SocketFlag.NONBLOCK)) {
            UnixSocketChannel a = pair.first(), b = pair.second();
            ErrnoException send = InjectedErrno.failing(a.fd(), enobufs, () -> catchThrowableOfType(
                    ErrnoException.class,
                    () -> a.sendMessages(ByteBuffer.wrap(new byte[] {1}), ByteBuffer.wrap(new byte[] {2}))));
            ErrnoException receive = InjectedErrno.failing(b.fd(), enobufs, () -> catchThrowableOfType(
                    ErrnoException.class, () -> b.receiveMessages(ByteBuffer.allocate(1), ByteBuffer.allocate(1))));

            assertThat(send.syscall()).isEqualTo(Features.batchesMessages() ? "sendmmsg" : "sendmsg");
            assertThat(send.errnoName()).isEqualTo("ENOBUFS");
            assertThat(receive.syscall()).isEqualTo(Features.batchesMessages() ? "recvmmsg" : "recvmsg");
            assertThat(receive.errnoName()).isEqualTo("ENOBUFS");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"DGRAM", "SEQPACKET"})
    void aFailureAfterTheFirstMessagesIsReportedByTheNextReadAndNothingIsLost(SocketType type) throws Exception {
        int enobufs = C.errno("ENOBUFS");
        int dontWait = C.constant("MSG_DONTWAIT");
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = pair.first(), b = pair.second();
            for (int i = 1; i <= 3; i++) {
                a.write(ByteBuffer.wrap(new byte[] {(byte) i}));
            }
            // 160 KiB of space each: the batch copies one heap buffer per call. A blocking receive makes
            // the first call waiting and the others with MSG_DONTWAIT, which are made to fail: recvmmsg's
            // flags are its fourth argument, recvmsg's its third.
            ByteBuffer[] buffers = MessageBatchTest.buffers(3, 160 * 1024);
            Long[] later = Features.batchesMessages()
                    ? new Long[] {(long) b.fd(), null, null, (long) dontWait}
                    : new Long[] {(long) b.fd(), null, (long) dontWait};
            int n = InjectedErrno.failingCalls(enobufs, () -> b.receiveMessages(buffers), later);

            assertThat(n).isEqualTo(1);
            assertThat(buffers[0].get(0)).isEqualTo((byte) 1);
            assertThat(buffers[1].position()).isZero();
            ErrnoException next = catchThrowableOfType(ErrnoException.class, () -> b.read(ByteBuffer.allocate(1)));
            assertThat(next.errnoName()).isEqualTo("ENOBUFS");
            assertThat(next.syscall()).as("the call that reports it").isEqualTo("recv");
            assertThat(b.receiveMessages(buffers, 1, 2)).as("then the rest").isEqualTo(2);
            assertThat(buffers[2].get(0)).isEqualTo((byte) 3);
        }
    }
}

package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.ControlMessages;
import dev.socketpair.internal.NativeScratch;
import dev.socketpair.internal.RawMessages;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.platform.Features;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Where received descriptors are made close-on-exec after recvmsg(2) (no {@code MSG_CMSG_CLOEXEC}), one
 * whose fcntl(2) fails is closed rather than handed out inheritable, and counted with the descriptors
 * that were not kept.
 */
class ReceivedCloseOnExecFailureTest {

    private static final CLibrary C = Platform.current().library();

    /** {@code fcntl(any, F_SETFD, FD_CLOEXEC)}; close(2) of the descriptor does not match. */
    private static final Long[] SET_CLOSE_ON_EXEC = {null, (long) C.constant("F_SETFD"), (long) C.constant("FD_CLOEXEC")};

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aDescriptorThatCannotBeMadeCloseOnExecIsClosedAndCounted() throws Exception {
        int[] pipe = RawFd.pipe(false);
        int copy = SocketControl.duplicate(pipe[1]);
        assertThat(copy).isPositive();
        assertThat(SocketControl.setCloseOnExec(copy, false)).isZero();
        try (Arena arena = Arena.ofShared()) {
            NativeScratch scratch = new NativeScratch(arena);
            MemorySegment control = RawMessages.control(arena, RawMessages.Message.rights(copy));

            ControlMessages.Received parsed = InjectedErrno.failingCalls(C.errno("EPERM"),
                    () -> ControlMessages.parse(control, control.byteSize(), 1, true, scratch), SET_CLOSE_ON_EXEC);

            assertThat(parsed.descriptors()).isEmpty();
            assertThat(parsed.closed()).isEqualTo(1);
            assertThat(ProcFd.target(copy)).as("descriptor %d", copy).isNull();
        } finally {
            RawFd.close(pipe);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void inPortableModeAReceiveDropsADescriptorThatCannotBeMadeCloseOnExec() throws Exception {
        assumeThat(Features.receivesCloseOnExec()).as("only where recvmsg(2) cannot install descriptors close-on-exec")
                .isFalse();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {7}), pipe[0]);
            Map<Integer, String> before = ProcFd.list();

            ReceivedMessage message = InjectedErrno.failingCalls(C.errno("EPERM"),
                    () -> pair.second().receive(ByteBuffer.allocate(1), 1), SET_CLOSE_ON_EXEC);

            try (message) {
                assertThat(message.length()).isEqualTo(1);
                assertThat(message.descriptorCount()).isZero();
                assertThat(message.controlTruncated()).isTrue();
            }
            assertThat(ProcFd.list()).isEqualTo(before);
        } finally {
            RawFd.close(pipe);
        }
    }
}

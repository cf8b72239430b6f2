package dev.socketpair.internal;

import dev.socketpair.internal.platform.Structs;
import dev.socketpair.ProcFd;
import dev.socketpair.RawFd;
import dev.socketpair.internal.RawMessages.Message;
import dev.socketpair.internal.platform.Features;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Received descriptors are close-on-exec where recvmsg(2) cannot install them so (no
 * {@code MSG_CMSG_CLOEXEC}, as on macOS): {@link ControlMessages#parse} sets {@code FD_CLOEXEC} on each
 * one it keeps, against what the kernel delivers to a recvmsg without that flag.
 */
class ReceivedCloseOnExecTest extends RawPairFixture {

    @Test
    void withoutMsgCmsgCloexecTheKernelInstallsReceivedDescriptorsInheritable() {
        MemorySegment header = sendPipeAndReceive(0);

        ControlMessages.Received parsed = parse(header, false);

        assertThat(parsed.descriptors()).hasSize(2);
        for (int fd : parsed.descriptors()) {
            assertThat(SocketControl.isCloseOnExec(fd)).as("FD_CLOEXEC of %d", fd).isZero();
        }
        RawFd.close(parsed.descriptors());
    }

    @Test
    void parseMakesEveryKeptDescriptorCloseOnExecWhenRecvmsgCouldNot() {
        String[] targets = {ProcFd.target(pipe[0]), ProcFd.target(pipe[1])};
        MemorySegment header = sendPipeAndReceive(0);

        ControlMessages.Received parsed = parse(header, true);

        assertThat(parsed.descriptors()).hasSize(2);
        assertThat(parsed.closed()).isZero();
        for (int i = 0; i < 2; i++) {
            int fd = parsed.descriptors()[i];
            assertThat(ProcFd.target(fd)).isEqualTo(targets[i]);
            assertThat(SocketControl.isCloseOnExec(fd)).as("FD_CLOEXEC of %d", fd).isEqualTo(1);
        }
        RawFd.close(parsed.descriptors());
    }

    @Test
    void parseSetsCloseOnExecExactlyWhereTheSystemCannotReceiveSo() {
        MemorySegment header = sendPipeAndReceive(0);
        long controlLength = Structs.MSG_CONTROLLEN.get(header);

        ControlMessages.Received parsed = ControlMessages.parse(
                Structs.MSG_CONTROL.getAddress(header).reinterpret(controlLength), controlLength, 2, scratch);

        int expected = Features.receivesCloseOnExec() ? 0 : 1;
        for (int fd : parsed.descriptors()) {
            assertThat(SocketControl.isCloseOnExec(fd)).as("FD_CLOEXEC of %d", fd).isEqualTo(expected);
        }
        RawFd.close(parsed.descriptors());
    }

    /** Sends both ends of the fixture's pipe (not close-on-exec) over the pair; receives them with {@code flags}. */
    private MemorySegment sendPipeAndReceive(int flags) {
        assertThat(SocketControl.setCloseOnExec(pipe[0], false)).isZero();
        assertThat(SocketControl.setCloseOnExec(pipe[1], false)).isZero();
        assertThat(RawMessages.send(pair[0], new byte[] {1}, Message.rights(pipe[0], pipe[1]))).isEqualTo(1);
        return receive(ControlMessages.receiveSpace(2), flags);
    }

    private ControlMessages.Received parse(MemorySegment header, boolean setCloseOnExec) {
        long controlLength = Structs.MSG_CONTROLLEN.get(header);
        return ControlMessages.parse(Structs.MSG_CONTROL.getAddress(header).reinterpret(controlLength), controlLength, 2,
                setCloseOnExec, scratch);
    }
}

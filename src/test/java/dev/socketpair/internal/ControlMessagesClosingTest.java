package dev.socketpair.internal;

import dev.socketpair.internal.platform.Structs;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.ProcFd;
import dev.socketpair.internal.RawMessages.Message;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every descriptor that arrives in control data and is not handed to the caller is closed by
 * {@link ControlMessages#parse}: {@code SCM_RIGHTS} descriptors past the caller's limit, in however many
 * messages they come, and the pidfd of {@code SCM_PIDFD}, which the kernel delivers under the type
 * {@link ControlMessages} names.
 */
class ControlMessagesClosingTest extends RawPairFixture {

    private static final CLibrary C = Platform.current().library();

    private static final long INT = ValueLayout.JAVA_INT.byteSize();

    @Test
    void theKernelDeliversTheSendersPidfdUnderScmPidfdOnceSoPasspidfdIsSet() {
        PassPidfd.enable(pair[1]);
        assertThat(RawMessages.send(pair[0], new byte[] {1})).isEqualTo(1);
        MemorySegment header = receive(ControlMessages.space(INT));
        long controlLength = Structs.MSG_CONTROLLEN.get(header);
        MemorySegment control = Structs.MSG_CONTROL.getAddress(header).reinterpret(controlLength);

        assertThat(controlLength).isEqualTo(ControlMessages.space(INT));
        MemorySegment message = control.asSlice(0, Structs.ControlMessage.CMSGHDR.byteSize());
        assertThat(Structs.ControlMessage.CMSG_LEVEL.getInt(message)).isEqualTo(C.constant("SOL_SOCKET"));
        assertThat(Structs.ControlMessage.CMSG_TYPE.getInt(message)).isEqualTo(ControlMessages.SCM_PIDFD);
        assertThat(Structs.ControlMessage.CMSG_LEN.get(message)).isEqualTo(ControlMessages.length(INT));
        int pidfd = control.get(ValueLayout.JAVA_INT, ControlMessages.data(0));
        assertThat(PassPidfd.isPidfd(ProcFd.target(pidfd))).as("%d is %s", pidfd, ProcFd.target(pidfd)).isTrue();
        assertThat(Syscalls.close(pidfd, capture)).isZero();
    }

    @Test
    void parseClosesThePidfdAndHandsOutOnlyTheDescriptorsSent() {
        PassPidfd.enable(pair[1]);
        String pipeTarget = ProcFd.target(pipe[1]);
        long pipeEnds = count(pipeTarget);
        assertThat(RawMessages.send(pair[0], new byte[] {1}, Message.rights(pipe[1]))).isEqualTo(1);
        MemorySegment header = receive(ControlMessages.receiveSpace(1));
        long controlLength = Structs.MSG_CONTROLLEN.get(header);

        ControlMessages.Received parsed = ControlMessages.parse(
                Structs.MSG_CONTROL.getAddress(header).reinterpret(controlLength), controlLength, 1, scratch);

        assertThat(parsed.descriptors()).hasSize(1);
        assertThat(ProcFd.target(parsed.descriptors()[0])).isEqualTo(pipeTarget);
        assertThat(parsed.closed()).isZero();
        assertThat(openPidfds()).isEmpty();
        assertThat(count(pipeTarget)).isEqualTo(pipeEnds + 1);
        Syscalls.close(parsed.descriptors()[0], capture);
    }

    @Test
    void parseKeepsTheFirstDescriptorsOfSeveralRightsMessagesAndClosesEveryOtherOne() {
        // The kernel merges the SCM_RIGHTS messages of one send into one: only a hand-built buffer has
        // two, and a pidfd-typed message whose descriptor is a duplicate of the pipe.
        String pipeTarget = ProcFd.target(pipe[1]);
        long pipeEnds = count(pipeTarget);
        int[] copies = new int[5];
        for (int i = 0; i < copies.length; i++) {
            copies[i] = SocketControl.duplicate(pipe[1]);
            assertThat(copies[i]).isPositive();
        }
        MemorySegment control = RawMessages.control(arena,
                Message.rights(copies[0], copies[1]),
                new Message(ControlMessages.SCM_PIDFD, copies[2]),
                Message.rights(copies[3], copies[4]));

        ControlMessages.Received parsed = ControlMessages.parse(control, control.byteSize(), 3, scratch);

        assertThat(parsed.descriptors()).containsExactly(copies[0], copies[1], copies[3]);
        assertThat(parsed.closed()).isEqualTo(1);
        assertThat(count(pipeTarget)).isEqualTo(pipeEnds + 3);
        for (int fd : parsed.descriptors()) {
            Syscalls.close(fd, capture);
        }
        assertThat(count(pipeTarget)).isEqualTo(pipeEnds);
    }

    private static long count(String target) {
        return ProcFd.list().values().stream().filter(target::equals).count();
    }

    private static List<String> openPidfds() {
        return ProcFd.list().values().stream().filter(PassPidfd::isPidfd).toList();
    }
}

package dev.socketpair.internal;

import dev.socketpair.ProcFd;
import dev.socketpair.RawFd;
import dev.socketpair.internal.libc.ErrnoValues;
import dev.socketpair.internal.libc.Libc;
import dev.socketpair.internal.libc.cmsghdr;
import dev.socketpair.internal.libc.msghdr;
import dev.socketpair.internal.libc.ucred;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CMSG arithmetic checked against what the kernel writes: every length recvmsg reports agrees with
 * {@code CMSG_SPACE} and {@code CMSG_LEN} as computed here, and a walk with {@code CMSG_FIRSTHDR},
 * {@code CMSG_NXTHDR} and {@code CMSG_DATA} finds exactly the messages and descriptors sent.
 */
class ControlMessagesTest extends RawPairFixture {

    private static final long INT = ValueLayout.JAVA_INT.byteSize();

    @Test
    void alignmentSpaceAndLengthFollowTheGeneratedHeaderLayout() {
        long header = cmsghdr.layout().byteSize();
        long alignment = ControlMessages.align(1);
        assertThat(alignment).isEqualTo(Libc.C_LONG.byteSize());
        assertThat(ControlMessages.align(0)).isZero();
        assertThat(ControlMessages.align(alignment)).isEqualTo(alignment);
        assertThat(ControlMessages.align(alignment + 1)).isEqualTo(2 * alignment);
        for (long n = 0; n < 64; n++) {
            assertThat(ControlMessages.space(n) % alignment).isZero();
            assertThat(ControlMessages.space(n)).isGreaterThanOrEqualTo(ControlMessages.length(n));
            assertThat(ControlMessages.space(n) - ControlMessages.length(n)).isLessThan(alignment);
        }
        assertThat(ControlMessages.firstHeader(header - 1)).isEqualTo(ControlMessages.NONE);
        assertThat(ControlMessages.firstHeader(header)).isZero();
    }

    @ParameterizedTest(name = "{0} descriptors")
    @ValueSource(ints = {1, 2, 3, 4, 63, 64, 252, 253})
    void theKernelsControlLengthsAgreeAndTheWalkFindsEveryDescriptor(int count) {
        send(count, false);
        MemorySegment header = receive(ControlMessages.receiveSpace(count));
        long controlLength = msghdr.msg_controllen(header);
        MemorySegment control = msghdr.msg_control(header).reinterpret(controlLength);
        assertThat(msghdr.msg_flags(header) & Libc.MSG_CTRUNC()).isZero();
        assertThat(controlLength).isEqualTo(ControlMessages.space(count * INT));

        long first = ControlMessages.firstHeader(controlLength);
        assertThat(first).isZero();
        MemorySegment rights = control.asSlice(first, cmsghdr.layout().byteSize());
        assertThat(cmsghdr.cmsg_level(rights)).isEqualTo(Libc.SOL_SOCKET());
        assertThat(cmsghdr.cmsg_type(rights)).isEqualTo(Libc.SCM_RIGHTS());
        assertThat(cmsghdr.cmsg_len(rights)).isEqualTo(ControlMessages.length(count * INT));
        int[] fds = control.asSlice(ControlMessages.data(first), count * INT).toArray(ValueLayout.JAVA_INT);
        assertThat(fds).doesNotHaveDuplicates();
        String sent = ProcFd.target(pipe[1]);
        for (int fd : fds) {
            assertThat(fd).as("a new descriptor").isNotIn(pair[0], pair[1], pipe[0], pipe[1]);
            assertThat(ProcFd.target(fd)).as("descriptor %d, found at CMSG_DATA", fd).isEqualTo(sent);
        }
        assertThat(ControlMessages.nextHeader(control, controlLength, first)).isEqualTo(ControlMessages.NONE);

        ControlMessages.Received parsed = ControlMessages.parse(control, controlLength, count, scratch);
        assertThat(parsed.descriptors()).containsExactly(fds);
        assertThat(parsed.closed()).isZero();
        assertThat(parsed.hasCredentials()).isFalse();
        RawFd.close(parsed.descriptors());
    }

    @Test
    void outgoingCredentialsAreOneScmCredentialsMessageWithThisProcesssIds() {
        // What is sent, checked before the kernel sees it: a receiver with SO_PASSCRED would get this
        // process's credentials even if none were attached.
        MemorySegment control = ControlMessages.outgoing(scratch, new int[0], true);
        long ucredSize = ucred.layout().byteSize();
        assertThat(control.byteSize()).isEqualTo(ControlMessages.space(ucredSize));
        long first = ControlMessages.firstHeader(control.byteSize());
        MemorySegment header = control.asSlice(first, cmsghdr.layout().byteSize());
        assertThat(cmsghdr.cmsg_level(header)).isEqualTo(Libc.SOL_SOCKET());
        assertThat(cmsghdr.cmsg_type(header)).isEqualTo(Libc.SCM_CREDENTIALS());
        assertThat(cmsghdr.cmsg_len(header)).isEqualTo(ControlMessages.length(ucredSize));
        MemorySegment ids = control.asSlice(ControlMessages.data(first), ucredSize);
        assertThat((long) ucred.pid(ids)).isEqualTo(ProcessHandle.current().pid());
        assertThat(ucred.uid(ids)).isEqualTo(Syscalls.getuid());
        assertThat(ucred.gid(ids)).isEqualTo(Syscalls.getgid());
        assertThat(ControlMessages.nextHeader(control, control.byteSize(), first)).isEqualTo(ControlMessages.NONE);
    }

    @ParameterizedTest(name = "{0} descriptors")
    @ValueSource(ints = {1, 5, 253})
    void credentialsAndRightsAreTwoMessagesThatNextHeaderSteps(int count) {
        assertThat(SocketControl.setIntOption(pair[1], SocketControl.IntOption.PASS_CREDENTIALS, 1)).isZero();
        send(count, true);
        MemorySegment header = receive(ControlMessages.receiveSpace(count));
        long controlLength = msghdr.msg_controllen(header);
        MemorySegment control = msghdr.msg_control(header).reinterpret(controlLength);
        long ucredSize = ucred.layout().byteSize();
        assertThat(controlLength).isEqualTo(ControlMessages.space(ucredSize) + ControlMessages.space(count * INT));

        long first = ControlMessages.firstHeader(controlLength);
        MemorySegment credentials = control.asSlice(first, cmsghdr.layout().byteSize());
        assertThat(cmsghdr.cmsg_type(credentials)).isEqualTo(Libc.SCM_CREDENTIALS());
        assertThat(cmsghdr.cmsg_len(credentials)).isEqualTo(ControlMessages.length(ucredSize));
        MemorySegment ids = control.asSlice(ControlMessages.data(first), ucredSize);
        assertThat((long) ucred.pid(ids)).isEqualTo(ProcessHandle.current().pid());

        long second = ControlMessages.nextHeader(control, controlLength, first);
        assertThat(second).isEqualTo(ControlMessages.space(ucredSize));
        MemorySegment rights = control.asSlice(second, cmsghdr.layout().byteSize());
        assertThat(cmsghdr.cmsg_type(rights)).isEqualTo(Libc.SCM_RIGHTS());
        assertThat(cmsghdr.cmsg_len(rights)).isEqualTo(ControlMessages.length(count * INT));
        assertThat(ControlMessages.nextHeader(control, controlLength, second)).isEqualTo(ControlMessages.NONE);

        ControlMessages.Received parsed = ControlMessages.parse(control, controlLength, count, scratch);
        assertThat(parsed.descriptors()).hasSize(count);
        assertThat(parsed.hasCredentials()).isTrue();
        assertThat(parsed.pid()).isEqualTo(Syscalls.getpid());
        assertThat(parsed.uid()).isEqualTo(Syscalls.getuid());
        assertThat(parsed.gid()).isEqualTo(Syscalls.getgid());
        RawFd.close(parsed.descriptors());
    }

    @Test
    void theKernelTakesScmMaxFdDescriptorsAndRefusesOneMoreWithEinval() {
        assertThat(sendRaw(ControlMessages.SCM_MAX_FD)).isEqualTo(1);
        assertThat(sendRaw(ControlMessages.SCM_MAX_FD + 1)).isEqualTo(-ErrnoValues.EINVAL());
        // Drain what went, closing the descriptors it carried.
        MemorySegment header = receive(ControlMessages.receiveSpace(ControlMessages.SCM_MAX_FD));
        long controlLength = msghdr.msg_controllen(header);
        ControlMessages.Received parsed = ControlMessages.parse(
                msghdr.msg_control(header).reinterpret(controlLength), controlLength, ControlMessages.SCM_MAX_FD,
                scratch);
        assertThat(parsed.descriptors()).hasSize(ControlMessages.SCM_MAX_FD);
        RawFd.close(parsed.descriptors());
    }

    /** Sends {@code count} copies of the pipe's write end (and credentials) with one byte. */
    private void send(int count, boolean credentials) {
        int[] fds = new int[count];
        Arrays.fill(fds, pipe[1]);
        MemorySegment control = ControlMessages.outgoing(scratch, fds, credentials);
        long n = SocketIo.sendWithControl(pair[0], ByteBuffer.wrap(new byte[] {1}), control, true, true, scratch);
        assertThat(n).isEqualTo(1);
    }

    /** Sends with a hand-built SCM_RIGHTS message of any size, past the public limit. */
    private long sendRaw(int count) {
        int[] fds = new int[count];
        Arrays.fill(fds, pipe[1]);
        MemorySegment control = RawMessages.control(arena, RawMessages.Message.rights(fds));
        return SocketIo.sendWithControl(pair[0], ByteBuffer.wrap(new byte[] {1}), control, true, true, scratch);
    }
}

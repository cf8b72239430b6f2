package dev.socketpair.internal;

import java.lang.foreign.GroupLayout;
import dev.socketpair.internal.platform.StructField;
import dev.socketpair.internal.platform.Structs;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.CredentialsSupport;
import dev.socketpair.ProcFd;
import dev.socketpair.RawFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CMSG arithmetic checked against what the kernel writes: every length recvmsg reports agrees with
 * {@code CMSG_SPACE} and {@code CMSG_LEN} as computed here, and a walk with {@code CMSG_FIRSTHDR},
 * {@code CMSG_NXTHDR} and {@code CMSG_DATA} finds exactly the messages and descriptors sent.
 */
class ControlMessagesTest extends RawPairFixture {

    private static final CLibrary C = Platform.current().library();
    private static final GroupLayout UCRED = C.struct("ucred");

    private static final long INT = ValueLayout.JAVA_INT.byteSize();

    @Test
    void alignmentSpaceAndLengthFollowTheGeneratedHeaderLayout() {
        long header = Structs.ControlMessage.CMSGHDR.byteSize();
        long alignment = ControlMessages.align(1);
        assertThat(alignment).isEqualTo(C.type("C_LONG").byteSize());
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
        long controlLength = Structs.MSG_CONTROLLEN.get(header);
        MemorySegment control = Structs.MSG_CONTROL.getAddress(header).reinterpret(controlLength);
        assertThat(Structs.MSG_FLAGS.getInt(header) & C.constant("MSG_CTRUNC")).isZero();
        assertThat(controlLength).isEqualTo(ControlMessages.space(count * INT));

        long first = ControlMessages.firstHeader(controlLength);
        assertThat(first).isZero();
        MemorySegment rights = control.asSlice(first, Structs.ControlMessage.CMSGHDR.byteSize());
        assertThat(Structs.ControlMessage.CMSG_LEVEL.getInt(rights)).isEqualTo(C.constant("SOL_SOCKET"));
        assertThat(Structs.ControlMessage.CMSG_TYPE.getInt(rights)).isEqualTo(C.constant("SCM_RIGHTS"));
        assertThat(Structs.ControlMessage.CMSG_LEN.get(rights)).isEqualTo(ControlMessages.length(count * INT));
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
        CredentialsSupport.assumeSent();
        // What is sent, checked before the kernel sees it: a receiver with SO_PASSCRED would get this
        // process's credentials even if none were attached.
        MemorySegment control = ControlMessages.outgoing(scratch, new int[0], true);
        long ucredSize = UCRED.byteSize();
        assertThat(control.byteSize()).isEqualTo(ControlMessages.space(ucredSize));
        long first = ControlMessages.firstHeader(control.byteSize());
        MemorySegment header = control.asSlice(first, Structs.ControlMessage.CMSGHDR.byteSize());
        assertThat(Structs.ControlMessage.CMSG_LEVEL.getInt(header)).isEqualTo(C.constant("SOL_SOCKET"));
        assertThat(Structs.ControlMessage.CMSG_TYPE.getInt(header)).isEqualTo(C.constant("SCM_CREDENTIALS"));
        assertThat(Structs.ControlMessage.CMSG_LEN.get(header)).isEqualTo(ControlMessages.length(ucredSize));
        MemorySegment ids = control.asSlice(ControlMessages.data(first), ucredSize);
        assertThat((long) StructField.of(UCRED, "pid").getInt(ids)).isEqualTo(ProcessHandle.current().pid());
        assertThat(StructField.of(UCRED, "uid").getInt(ids)).isEqualTo(Syscalls.getuid());
        assertThat(StructField.of(UCRED, "gid").getInt(ids)).isEqualTo(Syscalls.getgid());
        assertThat(ControlMessages.nextHeader(control, control.byteSize(), first)).isEqualTo(ControlMessages.NONE);
    }

    @Test
    void withoutCredentialsInMessagesNoneAreBuiltAndAReceiveHasRoomForTheDescriptorsAlone() {
        CredentialsSupport.assumeNotSent();
        assertThatThrownBy(() -> ControlMessages.outgoing(scratch, new int[] {pipe[1]}, true))
                .isExactlyInstanceOf(UnsupportedOperationException.class)
                .hasMessage("this system sends no credentials with messages");
        for (int count : new int[] {0, 1, 253}) {
            assertThat(ControlMessages.receiveSpace(count)).as("%d descriptors", count)
                    .isEqualTo(ControlMessages.space(count * INT));
        }
    }

    @ParameterizedTest(name = "{0} descriptors")
    @ValueSource(ints = {1, 5, 253})
    void credentialsAndRightsAreTwoMessagesThatNextHeaderSteps(int count) {
        CredentialsSupport.assumeSent();
        assertThat(SocketControl.setIntOption(pair[1], SocketControl.IntOption.PASS_CREDENTIALS, 1)).isZero();
        send(count, true);
        MemorySegment header = receive(ControlMessages.receiveSpace(count));
        long controlLength = Structs.MSG_CONTROLLEN.get(header);
        MemorySegment control = Structs.MSG_CONTROL.getAddress(header).reinterpret(controlLength);
        long ucredSize = UCRED.byteSize();
        assertThat(controlLength).isEqualTo(ControlMessages.space(ucredSize) + ControlMessages.space(count * INT));

        long first = ControlMessages.firstHeader(controlLength);
        MemorySegment credentials = control.asSlice(first, Structs.ControlMessage.CMSGHDR.byteSize());
        assertThat(Structs.ControlMessage.CMSG_TYPE.getInt(credentials)).isEqualTo(C.constant("SCM_CREDENTIALS"));
        assertThat(Structs.ControlMessage.CMSG_LEN.get(credentials)).isEqualTo(ControlMessages.length(ucredSize));
        MemorySegment ids = control.asSlice(ControlMessages.data(first), ucredSize);
        assertThat((long) StructField.of(UCRED, "pid").getInt(ids)).isEqualTo(ProcessHandle.current().pid());

        long second = ControlMessages.nextHeader(control, controlLength, first);
        assertThat(second).isEqualTo(ControlMessages.space(ucredSize));
        MemorySegment rights = control.asSlice(second, Structs.ControlMessage.CMSGHDR.byteSize());
        assertThat(Structs.ControlMessage.CMSG_TYPE.getInt(rights)).isEqualTo(C.constant("SCM_RIGHTS"));
        assertThat(Structs.ControlMessage.CMSG_LEN.get(rights)).isEqualTo(ControlMessages.length(count * INT));
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
        int scmMaxFd = Platform.current().maxDescriptorsPerMessage();
        assertThat(sendRaw(scmMaxFd)).isEqualTo(1);
        assertThat(sendRaw(scmMaxFd + 1)).isEqualTo(-C.errno("EINVAL"));
        // Drain what went, closing the descriptors it carried.
        MemorySegment header = receive(ControlMessages.receiveSpace(scmMaxFd));
        long controlLength = Structs.MSG_CONTROLLEN.get(header);
        ControlMessages.Received parsed = ControlMessages.parse(
                Structs.MSG_CONTROL.getAddress(header).reinterpret(controlLength), controlLength, scmMaxFd,
                scratch);
        assertThat(parsed.descriptors()).hasSize(scmMaxFd);
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

package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.channels.ClosedChannelException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SOCK_NONBLOCK and SOCK_CLOEXEC as the kernel reports them on both ends, and changing them later. */
class SocketFlagsTest {

    private static final CLibrary C = Platform.current().library();

    static Stream<Arguments> typesAndFlagSets() {
        List<Set<SocketFlag>> flagSets = List.of(
                EnumSet.noneOf(SocketFlag.class),
                EnumSet.of(SocketFlag.NONBLOCK),
                EnumSet.of(SocketFlag.CLOEXEC),
                EnumSet.allOf(SocketFlag.class));
        return Stream.of(SocketType.values())
                .flatMap(type -> flagSets.stream().map(flags -> Arguments.of(type, flags)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndFlagSets")
    void kernelFlagsMatchTheFlagsAskedForOnBothEnds(SocketType type, Set<SocketFlag> flags) throws Exception {
        boolean nonBlocking = flags.contains(SocketFlag.NONBLOCK);
        boolean closeOnExec = flags.contains(SocketFlag.CLOEXEC);
        try (SocketPair pair = SocketPair.open(type, flags)) {
            for (UnixSocketChannel end : List.of(pair.first(), pair.second())) {
                assertThat(Kernel.nonBlocking(end)).as("O_NONBLOCK of %s", end).isEqualTo(nonBlocking);
                assertThat(Kernel.closeOnExec(end)).as("FD_CLOEXEC of %s", end).isEqualTo(closeOnExec);
                assertThat(end.isBlocking()).isEqualTo(!nonBlocking);
                assertThat(end.isCloseOnExec()).isEqualTo(closeOnExec);
                assertThat(end.type()).isEqualTo(type);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndFlagSets")
    void flagsOredIntoTheTypeOfTheRawCallApplyToo(SocketType type, Set<SocketFlag> flags) throws Exception {
        int bits = 0;
        for (SocketFlag flag : flags) {
            bits |= flag.value();
        }
        try (SocketPair pair = SocketPair.open(C.constant("AF_UNIX"), type.value() | bits, 0)) {
            for (UnixSocketChannel end : List.of(pair.first(), pair.second())) {
                assertThat(Kernel.nonBlocking(end)).isEqualTo(flags.contains(SocketFlag.NONBLOCK));
                assertThat(Kernel.closeOnExec(end)).isEqualTo(flags.contains(SocketFlag.CLOEXEC));
                assertThat(end.isBlocking()).isEqualTo(!flags.contains(SocketFlag.NONBLOCK));
                assertThat(end.type()).isEqualTo(type);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void overloadsWithoutFlagsMakeBlockingCloseOnExecSockets(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            assertThat(Kernel.closeOnExec(pair.first())).isTrue();
            assertThat(Kernel.closeOnExec(pair.second())).isTrue();
            assertThat(Kernel.nonBlocking(pair.first())).isFalse();
        }
        try (SocketPair pair = SocketPair.open()) {
            assertThat(pair.first().type()).isEqualTo(SocketType.STREAM);
            assertThat(Kernel.closeOnExec(pair.second())).isTrue();
        }
    }

    @Test
    void varargsOverloadAppliesExactlyTheGivenFlags() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET, SocketFlag.NONBLOCK)) {
            assertThat(Kernel.nonBlocking(pair.first())).isTrue();
            assertThat(Kernel.closeOnExec(pair.first())).isFalse();
        }
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM, new SocketFlag[0])) {
            assertThat(Kernel.closeOnExec(pair.second())).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void configureBlockingChangesOnlyThatEndsKernelFlag(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().configureBlocking(false);
            assertThat(Kernel.nonBlocking(pair.first())).isTrue();
            assertThat(Kernel.nonBlocking(pair.second())).isFalse();
            assertThat(pair.first().isBlocking()).isFalse();

            pair.first().configureBlocking(true);
            assertThat(Kernel.nonBlocking(pair.first())).isFalse();
            assertThat(pair.first().isBlocking()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void setCloseOnExecChangesOnlyThatEndsKernelFlag(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            assertThat(pair.second().setCloseOnExec(false)).isSameAs(pair.second());
            assertThat(Kernel.closeOnExec(pair.second())).isFalse();
            assertThat(pair.second().isCloseOnExec()).isFalse();
            assertThat(Kernel.closeOnExec(pair.first())).isTrue();

            pair.second().setCloseOnExec(true);
            assertThat(Kernel.closeOnExec(pair.second())).isTrue();
        }
    }

    @Test
    void flagMethodsOnAClosedChannelThrowClosedChannelException() throws Exception {
        SocketPair pair = SocketPair.open();
        pair.close();
        assertThatThrownBy(() -> pair.first().isCloseOnExec()).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> pair.first().setCloseOnExec(false)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> pair.first().configureBlocking(false)).isInstanceOf(ClosedChannelException.class);
    }
}

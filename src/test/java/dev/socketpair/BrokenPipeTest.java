package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Writing to a peer that has gone: EPIPE as an exception, never a SIGPIPE. */
class BrokenPipeTest {

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"STREAM", "SEQPACKET"})
    void writeAfterPeerClosedThrowsEpipeAndRaisesNoSignal(SocketType type) throws Throwable {
        try (SocketPair pair = SocketPair.open(type); PendingSignals signals = new PendingSignals(PendingSignals.SIGPIPE)) {
            pair.second().close();
            ErrnoException e = catchThrowableOfType(ErrnoException.class,
                    () -> pair.first().write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
            assertThat(e.errnoName()).isEqualTo("EPIPE");
            assertThat(e.syscall()).isEqualTo("send");
            assertThat(e.getMessage()).isEqualTo("Broken pipe");

            ErrnoException gathering = catchThrowableOfType(ErrnoException.class,
                    () -> pair.first().write(new ByteBuffer[] {ByteBuffer.allocate(2), ByteBuffer.allocateDirect(2)}));
            assertThat(gathering.errnoName()).isEqualTo("EPIPE");
            assertThat(gathering.syscall()).isEqualTo("sendmsg");

            assertThat(signals.isPending()).as("SIGPIPE raised by our writes").isFalse();
        }
    }

    @Test
    void probeSeesTheSignalAPlainWriteRaises() throws Throwable {
        // The control for the test above: write(2) on the same kind of broken socket does raise SIGPIPE,
        // so a probe that says "not pending" there is not blind.
        try (SocketPair pair = SocketPair.open(); PendingSignals signals = new PendingSignals(PendingSignals.SIGPIPE)) {
            pair.second().close();
            assertThat(signals.plainWrite(pair.first().fd())).isNegative();
            assertThat(signals.isPending()).isTrue();
        }
    }
}

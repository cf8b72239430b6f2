package dev.socketpair;

import dev.socketpair.internal.SocketControl;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link UnixSocketChannel#duplicateDescriptor()}: a descriptor of the same socket, the caller's own. */
@Timeout(30)
class DuplicateDescriptorTest {

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void theDuplicateIsANewCloseOnExecNumberForTheSameSocketThatOutlivesTheChannel(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            int original = pair.first().fd();
            int duplicate = pair.first().duplicateDescriptor();
            try {
                assertThat(duplicate).isNotEqualTo(original);
                assertThat(ProcFd.target(duplicate)).isEqualTo(ProcFd.target(original)).startsWith("socket:");
                assertThat(SocketControl.isCloseOnExec(duplicate)).isEqualTo(1);

                pair.first().close();
                assertThat(ProcFd.target(original)).isNull();
                assertThat(ProcFd.target(duplicate)).as("the channel's close leaves the duplicate open")
                        .startsWith("socket:");
                try (UnixSocketChannel adopted = UnixSocketChannel.adopt(duplicate)) {
                    assertThat(adopted.write(ByteBuffer.wrap(new byte[] {9}))).isOne();
                    ByteBuffer in = ByteBuffer.allocate(1);
                    assertThat(pair.second().read(in)).isOne();
                    assertThat(in.get(0)).isEqualTo((byte) 9);
                }
                assertThat(ProcFd.target(duplicate)).isNull();
            } finally {
                if (ProcFd.target(duplicate) != null) {
                    RawFd.close(duplicate);
                }
            }
        }
    }

    @Test
    void closingTheDuplicateLeavesTheChannelWorking() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            RawFd.close(pair.first().duplicateDescriptor());
            assertThat(pair.first().write(ByteBuffer.wrap(new byte[] {3}))).isOne();
            ByteBuffer in = ByteBuffer.allocate(1);
            assertThat(pair.second().read(in)).isOne();
            assertThat(in.get(0)).isEqualTo((byte) 3);
        }
    }

    @Test
    void aClosedChannelHasNoDescriptorToDuplicate() throws Exception {
        SocketPair pair = SocketPair.open();
        pair.close();
        assertThatThrownBy(() -> pair.first().duplicateDescriptor()).isInstanceOf(ClosedChannelException.class);
    }
}

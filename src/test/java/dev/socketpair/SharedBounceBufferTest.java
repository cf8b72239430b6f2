package dev.socketpair;

import dev.socketpair.internal.BounceBuffers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A channel holds a native buffer to copy heap memory through only for the length of the call that
 * copies: an idle channel holds none, so that thousands of idle channels cost no buffer each.
 */
@Timeout(30)
class SharedBounceBufferTest {

    /**
     * A platform thread blocked in a heap read waits in recv(2) on a native buffer. The shared kept
     * buffers of that size are taken first, so that the reader's must be a new one; once the read has
     * returned, it is kept for the next call, whichever channel makes it.
     */
    @Test
    void aBlockedHeapReadGivesItsBufferBackWhenItReturns() throws Exception {
        List<MemorySegment> held = new ArrayList<>();
        try (SocketPair pair = SocketPair.open()) {
            while (BounceBuffers.kept(64) > 0) {
                held.add(BounceBuffers.take(64));
            }
            ByteBuffer into = ByteBuffer.allocate(64);
            var read = Concurrently.startBlocked(false, pair.second().fd(), () -> pair.second().read(into));
            assertThat(BounceBuffers.kept(64)).as("while the reader is blocked").isZero();
            ByteBuffer data = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < 64; i++) {
                data.put(i, (byte) i);
            }
            assertThat(pair.first().write(data)).isEqualTo(64);

            assertThat(Concurrently.await(read.outcome())).isEqualTo(64);
            assertThat(into.array()[63]).isEqualTo((byte) 63);
            assertThat(BounceBuffers.kept(64)).as("once the read has returned").isEqualTo(1);
        } finally {
            held.forEach(BounceBuffers::giveBack);
        }
    }
}

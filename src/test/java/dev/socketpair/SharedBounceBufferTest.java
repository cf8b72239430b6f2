package dev.socketpair;

import dev.socketpair.internal.BounceBufferPool;
import dev.socketpair.internal.BounceBuffers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A channel holds a native buffer to copy heap memory through only for the length of the call that
 * copies: an idle channel holds none, so that thousands of idle channels cost no buffer each.
 */
@Timeout(30)
class SharedBounceBufferTest {

    /**
     * A platform thread blocked in a heap read waits in recv(2) on a native buffer. With the kept
     * buffers of that size known (every slot filled with buffers taken here), the reader holds exactly
     * one of them while it waits: taking as many as are kept then finds all but one, and a new one. Once
     * the read has returned, its buffer, still holding the bytes it copied, is kept for the next call,
     * whichever channel makes it.
     */
    @Test
    void aBlockedHeapReadHoldsOneBufferAndGivesItBackWhenItReturns() throws Exception {
        int slots = BounceBufferPool.SLOTS_PER_SIZE;
        List<MemorySegment> held = new ArrayList<>();
        try (SocketPair pair = SocketPair.open()) {
            List<MemorySegment> filling = new ArrayList<>();
            for (int i = 0; i < slots; i++) {
                filling.add(BounceBuffers.take(64));
            }
            Set<Long> kept = filling.stream().map(MemorySegment::address).collect(Collectors.toSet());
            filling.forEach(BounceBuffers::giveBack);

            ByteBuffer into = ByteBuffer.allocate(64);
            var read = Concurrently.startBlocked(false, pair.second(), () -> pair.second().read(into));
            for (int i = 0; i < slots; i++) {
                held.add(BounceBuffers.take(64));
            }
            List<Long> stillKept = held.stream().map(MemorySegment::address).filter(kept::contains).toList();
            assertThat(stillKept).as("kept buffers found while the reader is blocked").hasSize(slots - 1);
            long readersBuffer = kept.stream().filter(address -> !stillKept.contains(address)).findFirst().orElseThrow();

            byte[] bytes = new byte[64];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i + 1);
            }
            // From direct memory, which is sent in place: the write takes no buffer.
            assertThat(pair.first().write(ByteBuffer.allocateDirect(64).put(bytes).flip())).isEqualTo(64);

            assertThat(Concurrently.await(read.outcome())).isEqualTo(64);
            assertThat(into.array()).isEqualTo(bytes);
            MemorySegment next = BounceBuffers.take(64);
            held.add(next);
            // Kept, not freed and made anew (calloc may well give a freed address again, but zeroed).
            assertThat(next.address()).as("the next buffer taken, once the read has returned").isEqualTo(readersBuffer);
            assertThat(next.asSlice(0, 64).toArray(ValueLayout.JAVA_BYTE)).as("what the read copied through it")
                    .isEqualTo(bytes);
        } finally {
            held.forEach(BounceBuffers::giveBack);
        }
    }
}

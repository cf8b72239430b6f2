package dev.socketpair;

import dev.socketpair.internal.BounceBufferPool;
import dev.socketpair.internal.BounceBuffers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
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
     * the read has returned, its buffer is kept for the next call, whichever channel makes it.
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

            ByteBuffer data = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < 64; i++) {
                data.put(i, (byte) i);
            }
            assertThat(pair.first().write(data)).isEqualTo(64);

            assertThat(Concurrently.await(read.outcome())).isEqualTo(64);
            assertThat(into.array()[63]).isEqualTo((byte) 63);
            held.add(BounceBuffers.take(64));
            assertThat(held.getLast().address()).as("the next buffer taken, once the read has returned")
                    .isEqualTo(readersBuffer);
        } finally {
            held.forEach(BounceBuffers::giveBack);
        }
    }
}

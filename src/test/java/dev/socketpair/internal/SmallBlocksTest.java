package dev.socketpair.internal;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SmallBlocksTest {

    private static final int PER_SLAB = (int) (SmallBlocks.SLAB / SmallBlocks.SIZE);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void blocksAreZeroedAlignedToTheirSizeAndDisjointAcrossSlabs() {
        SmallBlocks pool = new SmallBlocks();
        List<MemorySegment> blocks = new ArrayList<>();
        Set<Long> addresses = new HashSet<>();
        for (int i = 0; i < 2 * PER_SLAB + 1; i++) {
            MemorySegment block = pool.take();
            assertThat(block.byteSize()).isEqualTo(SmallBlocks.SIZE);
            assertThat(block.address() % SmallBlocks.SIZE).isZero();
            assertThat(block.scope()).as("no arena's close is a handshake for it").isEqualTo(MemorySegment.NULL.scope());
            for (long at = 0; at < SmallBlocks.SIZE; at += Long.BYTES) {
                assertThat(block.get(ValueLayout.JAVA_LONG, at)).isZero();
            }
            blocks.add(block);
            addresses.add(block.address());
        }
        assertThat(addresses).as("every block its own").hasSize(blocks.size());
        for (MemorySegment block : blocks) {
            block.fill((byte) 0x5a);
        }
        for (int i = 0; i < blocks.size(); i++) {
            for (int j = 0; j < blocks.size(); j++) {
                if (i != j) {
                    long a = blocks.get(i).address();
                    long b = blocks.get(j).address();
                    assertThat(a + SmallBlocks.SIZE <= b || b + SmallBlocks.SIZE <= a).as("blocks %d and %d overlap", i, j).isTrue();
                }
            }
        }
    }

    @Test
    void aBlockGivenBackIsTakenAgainZeroed() {
        SmallBlocks pool = new SmallBlocks();
        MemorySegment first = pool.take();
        MemorySegment second = pool.take();
        first.fill((byte) 0x77);
        pool.giveBack(first);
        assertThat(pool.freeCount()).isEqualTo(1);

        MemorySegment again = pool.take();
        assertThat(again.address()).isEqualTo(first.address());
        assertThat(pool.freeCount()).isZero();
        for (long at = 0; at < SmallBlocks.SIZE; at++) {
            assertThat(again.get(ValueLayout.JAVA_BYTE, at)).isZero();
        }
        assertThat(second.address()).isNotEqualTo(again.address());
    }

    /**
     * A close gives its channel's blocks back and must not fail part-way, so giving back allocates
     * nothing, even while the pool is still growing; nor does taking once the pool holds the blocks a
     * process uses at its peak. Each is the least of several windows: the compiler's own transitions (a
     * method recompiled, objects it had removed made again on a deoptimisation) can show in one, and
     * are not the pool's.
     */
    @Test
    void givingBackAndTakingAtThePeakAllocateNothing() {
        long leastGivingBack = Long.MAX_VALUE;
        for (int window = 0; window < 20 && leastGivingBack > 0; window++) {
            SmallBlocks growing = new SmallBlocks();
            MemorySegment[] taken = takeAll(growing, 3 * PER_SLAB);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            giveBackAll(growing, taken);
            leastGivingBack = Math.min(leastGivingBack, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        assertThat(leastGivingBack).as("least bytes allocated giving back every block of a new peak").isZero();

        SmallBlocks pool = new SmallBlocks();
        giveBackAll(pool, takeAll(pool, 3 * PER_SLAB));
        MemorySegment[] blocks = new MemorySegment[3 * PER_SLAB];
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 20 && least > 0; window++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < blocks.length; i++) {
                    blocks[i] = pool.take();
                }
                giveBackAll(pool, blocks);
            }
            least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        assertThat(least).as("least bytes allocated by %d takes and give-backs", 200 * blocks.length).isZero();
        assertThat(pool.freeCount()).isEqualTo(blocks.length);
    }

    private static MemorySegment[] takeAll(SmallBlocks pool, int count) {
        MemorySegment[] blocks = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            blocks[i] = pool.take();
        }
        return blocks;
    }

    private static void giveBackAll(SmallBlocks pool, MemorySegment[] blocks) {
        for (MemorySegment block : blocks) {
            pool.giveBack(block);
        }
    }
}

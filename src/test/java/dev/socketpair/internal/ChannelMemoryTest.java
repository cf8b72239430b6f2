package dev.socketpair.internal;

import dev.socketpair.RawFd;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelMemoryTest {

    private static final CLibrary C = Platform.current().library();

    @Test
    void smallRequestsShareABlockAndLargeOnesHaveTheirOwnAllZeroedAndAligned() {
        ChannelMemory memory = new ChannelMemory();
        try {
            List<MemorySegment> small = new ArrayList<>();
            for (long size : new long[] {4, 8, 56, 1, 16}) {
                small.add(memory.allocate(size, size >= 8 ? 8 : 4));
            }
            MemorySegment large = memory.allocate(ChannelMemory.BLOCK * 4, 8);
            MemorySegment stricter = memory.allocate(100, 64);

            assertThat(small.get(1).address() - small.get(0).address())
                    .as("the second small request follows the first in its block").isBetween(4L, 8L);
            for (MemorySegment segment : small) {
                assertThat(segment.address() % (segment.byteSize() >= 8 ? 8 : 4)).isZero();
            }
            assertThat(large.byteSize()).isEqualTo(ChannelMemory.BLOCK * 4);
            assertThat(stricter.byteSize()).isEqualTo(100);
            assertThat(stricter.address() % 64).isZero();
            for (MemorySegment segment : List.of(small.get(2), large, stricter)) {
                for (long i = 0; i < segment.byteSize(); i++) {
                    assertThat(segment.get(ValueLayout.JAVA_BYTE, i)).isZero();
                }
                segment.fill((byte) 0x5a);
            }
            assertThat(small.get(3).get(ValueLayout.JAVA_BYTE, 0))
                    .as("filling one segment wrote nothing into its neighbours").isZero();
        } finally {
            memory.close();
        }
    }

    /**
     * A channel's small requests make no allocator call: they share blocks of the pool, which its close
     * gives back for the next channel, zeroed.
     */
    @Test
    void smallRequestsComeFromThePoolAndCloseGivesTheirBlocksBack() {
        SmallBlocks pool = new SmallBlocks();
        ChannelMemory memory = new ChannelMemory(pool);
        MemorySegment errno = memory.allocate(4, 4);
        MemorySegment header = memory.allocate(56, 8);
        MemorySegment rest = memory.allocate(ChannelMemory.SMALL, 8);
        MemorySegment next = memory.allocate(4, 4);
        errno.fill((byte) 1);
        header.fill((byte) 2);
        rest.fill((byte) 3);
        next.fill((byte) 4);
        assertThat(rest.address() + rest.byteSize() - errno.address()).as("three in the first block")
                .isEqualTo(ChannelMemory.BLOCK);
        assertThat(next.address() % ChannelMemory.BLOCK).as("the fourth at the start of another").isZero();
        assertThat(pool.freeCount()).isZero();

        memory.close();
        assertThat(pool.freeCount()).as("the two blocks the requests took").isEqualTo(2);
        ChannelMemory reused = new ChannelMemory(pool);
        try {
            MemorySegment again = reused.allocate(ChannelMemory.BLOCK / 2, 8);
            assertThat(again.address()).isIn(errno.address(), next.address());
            for (long i = 0; i < again.byteSize(); i++) {
                assertThat(again.get(ValueLayout.JAVA_BYTE, i)).isZero();
            }
        } finally {
            reused.close();
        }
    }

    @Test
    void aClosedMemoryRefusesToAllocateAndClosesOnlyOnce() {
        ChannelMemory memory = new ChannelMemory();
        memory.allocate(8, 8);
        memory.close();
        memory.close();
        assertThatThrownBy(() -> memory.allocate(8, 8)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badSizesAndAlignmentsAreRefused() {
        ChannelMemory memory = new ChannelMemory();
        try {
            assertThatThrownBy(() -> memory.allocate(-1, 8)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> memory.allocate(8, 3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> memory.allocate(8, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThat(memory.allocate(0, 1).byteSize()).isZero();
        } finally {
            memory.close();
        }
    }

    /**
     * A channel's memory must belong to no arena whose close is a handshake with every thread of the
     * JVM (a shared arena's): such a close made each pair's close cost grow with the application's thread
     * count. Memory no arena guards has the global scope.
     */
    @Test
    void aChannelsNativeMemoryBelongsToNoArenaThatItsCloseMustClose() {
        int[] pair = RawFd.socketpair(C.constant("AF_UNIX"), C.constant("SOCK_STREAM") | C.constant("SOCK_CLOEXEC"));
        SocketDescriptor descriptor = new SocketDescriptor(pair[0]);
        try {
            assertThat(descriptor.memory().allocate(8, 8).scope()).isEqualTo(MemorySegment.NULL.scope());
            assertThat(new NativeScratch(descriptor.memory()).errno().scope()).isEqualTo(MemorySegment.NULL.scope());
        } finally {
            assertThat(descriptor.close(null)).isZero();
            RawFd.close(pair[1]);
        }
    }
}

package dev.socketpair.internal;

import org.junit.jupiter.api.Test;


import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BounceBuffersTest {

    @Test
    void eachRequestGetsTheSmallestSizeThatHoldsIt() {
        long[][] expected = {
                {1, BounceBuffers.MIN}, {BounceBuffers.MIN, BounceBuffers.MIN},
                {BounceBuffers.MIN + 1, 2 * BounceBuffers.MIN}, {3 * BounceBuffers.MIN, 4 * BounceBuffers.MIN},
                {BounceBuffers.MAX - 1, BounceBuffers.MAX}, {BounceBuffers.MAX, BounceBuffers.MAX}};
        for (long[] sizes : expected) {
            MemorySegment buffer = BounceBuffers.take(sizes[0]);
            try {
                assertThat(buffer.byteSize()).as("for %d bytes", sizes[0]).isEqualTo(sizes[1]);
            } finally {
                BounceBuffers.giveBack(buffer);
            }
        }
    }

    @Test
    void aBufferGivenBackIsTakenAgainRatherThanANewOne() {
        MemorySegment first = BounceBuffers.take(100);
        BounceBuffers.giveBack(first);
        MemorySegment again = BounceBuffers.take(200);
        try {
            assertThat(again.address()).isEqualTo(first.address());
        } finally {
            BounceBuffers.giveBack(again);
        }
    }

    @Test
    void buffersTakenAtOnceAreDistinctAndEveryKeptOneIsTakenAgain() {
        List<MemorySegment> taken = new ArrayList<>();
        for (int i = 0; i < BounceBuffers.SLOTS + 3; i++) {
            taken.add(BounceBuffers.take(3 * BounceBuffers.MIN));
        }
        assertThat(taken.stream().map(MemorySegment::address).distinct().count()).isEqualTo(taken.size());
        taken.forEach(BounceBuffers::giveBack);
        List<MemorySegment> again = new ArrayList<>();
        for (int i = 0; i < BounceBuffers.SLOTS + 3; i++) {
            again.add(BounceBuffers.take(3 * BounceBuffers.MIN));
        }
        long reused = again.stream().filter(b -> taken.stream().anyMatch(t -> t.address() == b.address())).count();
        again.forEach(BounceBuffers::giveBack);
        // More were given back than a size keeps: the rest were freed, and calloc may hand their
        // addresses out again, so only the kept ones are certain to come back.
        assertThat(reused).isGreaterThanOrEqualTo(BounceBuffers.SLOTS);
    }
}

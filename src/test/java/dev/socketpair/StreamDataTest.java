package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bytes through a STREAM pair: every kind of memory, every size, scatter and gather, EOF, would-block. */
class StreamDataTest {

    private static final int MIB = 1 << 20;
    /**
     * Buffers of the first four kinds, segments (through the segment methods) of the others. An
     * automatic arena's segment is native memory as a shared arena's is, and the segment methods take
     * both the same way: it is left out.
     */
    private static final BufferMemory[] WRITE_KINDS = {BufferMemory.HEAP, BufferMemory.DIRECT,
            BufferMemory.READ_ONLY_HEAP, BufferMemory.READ_ONLY_DIRECT, BufferMemory.HEAP_SEGMENT,
            BufferMemory.SHARED_SEGMENT};
    private static final BufferMemory[] READ_KINDS =
            {BufferMemory.HEAP, BufferMemory.DIRECT, BufferMemory.HEAP_SEGMENT, BufferMemory.SHARED_SEGMENT};

    static Stream<Arguments> writeKindsAndReadKinds() {
        return Stream.of(WRITE_KINDS).flatMap(w -> Stream.of(READ_KINDS).map(r -> Arguments.of(w, r)));
    }

    @ParameterizedTest(name = "write {0}, read {1}")
    @MethodSource("writeKindsAndReadKinds")
    void randomSizesFromOneByteToOneMebibyteArriveIntact(BufferMemory writeKind, BufferMemory readKind) throws Exception {
        Random random = new Random(writeKind.ordinal() * 31L + readKind.ordinal());
        int[] sizes = {1, 2, 7, 4096, 65_535, 65_537, 1 + random.nextInt(300_000), 262_145, MIB};
        for (int size : sizes) {
            byte[] data = Bytes.random(random, size);
            try (SocketPair pair = SocketPair.open(); Arena arena = Arena.ofShared()) {
                CompletableFuture<Long> writer = Concurrently.start(size % 2 == 0, () -> {
                    long written = write(pair.first(), writeKind, data);
                    pair.first().shutdownOutput();
                    return written;
                });
                String received = readAll(pair.second(), readKind, random, arena);
                assertThat(Concurrently.await(writer)).as("bytes written of %d", size).isEqualTo(size);
                assertThat(received).as("%d bytes, write %s, read %s", size, writeKind, readKind)
                        .isEqualTo(Bytes.sha256(data));
            }
        }
    }

    /** Writes everything in one call: a blocking STREAM write returns only when all is written. */
    private static long write(UnixSocketChannel channel, BufferMemory kind, byte[] data) throws Exception {
        if (kind.isSegment()) {
            try (Arena arena = Arena.ofShared()) {
                return channel.write(kind.segment(data, arena));
            }
        }
        ByteBuffer source = kind.source(data, 0, data.length, null);
        long n = channel.write(source);
        assertThat(source.hasRemaining()).isFalse();
        return n;
    }

    /** Reads until end of stream in chunks of random size, and returns the digest of what arrived. */
    private static String readAll(UnixSocketChannel channel, BufferMemory kind, Random random, Arena arena)
            throws Exception {
        MessageDigest digest = Bytes.sha256();
        MemorySegment nativeChunk = arena.allocate(70_000);
        for (;;) {
            int chunk = 1 + random.nextInt(70_000);
            long n;
            byte[] got;
            switch (kind) {
                case HEAP, DIRECT -> {
                    ByteBuffer dst = kind.allocate(chunk, arena);
                    n = channel.read(dst);
                    got = new byte[dst.flip().remaining()];
                    dst.get(got);
                }
                case HEAP_SEGMENT -> {
                    byte[] array = new byte[chunk];
                    n = channel.read(MemorySegment.ofArray(array));
                    got = Arrays.copyOf(array, (int) Math.max(n, 0));
                }
                case SHARED_SEGMENT -> {
                    n = channel.read(nativeChunk.asSlice(0, chunk));
                    got = nativeChunk.asSlice(0, Math.max(n, 0)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                }
                default -> throw new AssertionError(kind);
            }
            if (n == -1) {
                return Bytes.hex(digest.digest());
            }
            assertThat(n).isPositive().isEqualTo(got.length);
            digest.update(got);
        }
    }

    @ParameterizedTest(name = "{0} buffers")
    @ValueSource(ints = {1, 2, 3, 5, 8, 13, 16})
    void gatheringWriteAndScatteringReadKeepOrderAcrossHeapAndDirectBuffers(int count) throws Exception {
        Random random = new Random(count);
        try (SocketPair pair = SocketPair.open()) {
            ByteBuffer[] sources = new ByteBuffer[count];
            ByteBuffer expected = ByteBuffer.allocate(count * 5000);
            for (int i = 0; i < count; i++) {
                byte[] part = Bytes.random(random, 1 + random.nextInt(4999));
                sources[i] = (i % 2 == 0 ? BufferMemory.HEAP : BufferMemory.DIRECT).source(part, 0, part.length, null);
                expected.put(part);
            }
            expected.flip();
            long written = pair.first().write(sources);
            assertThat(written).isEqualTo(expected.remaining());
            assertThat(sources).allSatisfy(b -> assertThat(b.hasRemaining()).isFalse());
            pair.first().shutdownOutput();

            ByteBuffer[] destinations = new ByteBuffer[count];
            for (int i = 0; i < count; i++) {
                int size = expected.remaining() / count + (i == count - 1 ? expected.remaining() % count : 0);
                destinations[i] = (i % 2 == 1 ? BufferMemory.HEAP : BufferMemory.DIRECT).allocate(size, null);
            }
            long read = 0;
            while (read < written) {
                long n = pair.second().read(destinations);
                assertThat(n).isPositive();
                read += n;
            }
            ByteBuffer actual = ByteBuffer.allocate((int) read);
            for (ByteBuffer d : destinations) {
                actual.put(d.flip());
            }
            assertThat(actual.flip()).isEqualTo(expected);
            assertThat(pair.second().read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void gatheringWriteOfMoreThanIovMaxBuffersWritesThemAll() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            ByteBuffer[] sources = new ByteBuffer[2500];
            for (int i = 0; i < sources.length; i++) {
                sources[i] = ByteBuffer.wrap(new byte[] {(byte) i});
            }
            CompletableFuture<Long> writer = Concurrently.start(false, () -> pair.first().write(sources));
            ByteBuffer all = ByteBuffer.allocate(sources.length);
            while (all.hasRemaining()) {
                assertThat(pair.second().read(all)).isPositive();
            }
            assertThat(Concurrently.await(writer)).isEqualTo(sources.length);
            for (int i = 0; i < sources.length; i++) {
                assertThat(all.get(i)).isEqualTo((byte) i);
            }
        }
    }

    @Test
    void scatteringReadHonoursOffsetAndLength() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("abcdef")));
            ByteBuffer[] dsts = {ByteBuffer.allocate(3), ByteBuffer.allocate(2), ByteBuffer.allocate(4)};
            long n = pair.second().read(dsts, 1, 2);
            assertThat(n).isEqualTo(6);
            assertThat(dsts[0].position()).isZero();
            assertThat(Bytes.ascii(dsts[1].flip())).isEqualTo("ab");
            assertThat(Bytes.ascii(dsts[2].flip())).isEqualTo("cdef");
            assertThatThrownBy(() -> pair.second().read(dsts, 2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> pair.first().write(dsts, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void readReturnsAfterAPartialTransfer() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("abc")));
            ByteBuffer dst = ByteBuffer.allocate(100);
            assertThat(pair.second().read(dst)).isEqualTo(3);
            assertThat(Bytes.ascii(dst.flip())).isEqualTo("abc");
        }
    }

    @Test
    void readReturnsMinusOneAfterPeerCloses() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("last")));
            pair.first().close();
            ByteBuffer dst = ByteBuffer.allocate(10);
            assertThat(pair.second().read(dst)).isEqualTo(4);
            assertThat(pair.second().read(dst)).isEqualTo(-1);
            assertThat(pair.second().read(MemorySegment.ofArray(new byte[4]))).isEqualTo(-1);
            assertThat(pair.second().read(new ByteBuffer[] {ByteBuffer.allocate(2)})).isEqualTo(-1);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void readReturnsMinusOneAfterPeerShutdownOutput(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Concurrently.await(Concurrently.start(virtual, () -> {
                pair.first().shutdownOutput();
                assertThat(pair.second().read(ByteBuffer.allocate(1))).isEqualTo(-1);
                // The other direction still works.
                pair.second().write(ByteBuffer.wrap(new byte[] {9}));
                ByteBuffer one = ByteBuffer.allocate(1);
                assertThat(pair.first().read(one)).isEqualTo(1);
                assertThat(one.get(0)).isEqualTo((byte) 9);
                return null;
            }));
        }
    }

    @Test
    void readReturnsMinusOneAfterOwnShutdownInputAndWriteAfterShutdownOutputIsClosed() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.second().shutdownInput();
            assertThat(pair.second().read(ByteBuffer.allocate(1))).isEqualTo(-1);
            pair.first().shutdownOutput();
            pair.first().shutdownOutput();
            assertThatThrownBy(() -> pair.first().write(ByteBuffer.wrap(new byte[1])))
                    .isInstanceOf(java.nio.channels.ClosedChannelException.class);
            assertThat(pair.first().isOpen()).isTrue();
        }
    }

    @Test
    void emptyBufferReadsAndWritesZeroWithoutTouchingTheSocket() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            assertThat(pair.second().read(ByteBuffer.allocate(0))).isZero();
            assertThat(pair.first().write(ByteBuffer.allocate(0))).isZero();
            assertThat(pair.second().read(MemorySegment.ofArray(new byte[0]))).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = BufferMemory.class, names = {"HEAP", "DIRECT"})
    void nonBlockingReadWithNothingToReadReturnsZero(BufferMemory kind) throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK)) {
            ByteBuffer dst = kind.allocate(8, null);
            assertThat(pair.second().read(dst)).isZero();
            assertThat(dst.position()).isZero();
            assertThat(pair.second().read(new ByteBuffer[] {dst})).isZero();
            assertThat(pair.second().read(MemorySegment.ofArray(new byte[8]))).isZero();
        }
    }

    @Test
    void nonBlockingWriteToAFullSocketWritesPartlyThenZero() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK)) {
            ByteBuffer big = ByteBuffer.allocateDirect(16 * MIB);
            long first = pair.first().write(big);
            assertThat(first).isPositive().isLessThan(big.capacity());
            assertThat(big.position()).isEqualTo((int) first);
            assertThat(pair.first().write(big)).isZero();
            assertThat(pair.first().write(ByteBuffer.wrap(new byte[100]))).isZero();
            assertThat(pair.first().write(new ByteBuffer[] {ByteBuffer.allocate(3)})).isZero();
        }
    }

    @Test
    void readOnlyDestinationIsRejected() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            assertThatThrownBy(() -> pair.second().read(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("Read-only buffer");
            assertThatThrownBy(() -> pair.second().read(new ByteBuffer[] {
                    ByteBuffer.allocate(4), ByteBuffer.allocateDirect(4).asReadOnlyBuffer()}))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> pair.second().read(MemorySegment.ofArray(new byte[4]).asReadOnly()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readAfterPeerClosedWithUnreadDataIsConnectionReset() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            pair.second().close();
            ErrnoException e = org.assertj.core.api.Assertions.catchThrowableOfType(ErrnoException.class,
                    () -> pair.first().read(ByteBuffer.allocate(1)));
            assertThat(e.errnoName()).isEqualTo("ECONNRESET");
            assertThat(e.syscall()).isEqualTo("recv");
            assertThat(e.getMessage()).isEqualTo("Connection reset");
        }
    }
}

package dev.socketpair;

import dev.socketpair.internal.NativeScratch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scattering reads and gathering writes over every mix of memory kinds, with heap parts just below, at
 * and above the size of the bounce buffer and of several MiB: the bytes that arrive are the bytes sent,
 * in order, and after every call the buffers' positions say exactly which bytes moved (always the first
 * ones). Also the edge cases of the buffer array itself: the same buffer twice, and no bytes at all.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VectoredTransferTest {

    private static final int BOUNCE = (int) NativeScratch.MAX_BOUNCE;
    private static final int SMALL = 10;
    private static final int LARGE = 3 * 1024 * 1024 + 5;
    /** What a message socket is asked to carry at most: the kernel caps it at twice net.core.wmem_max. */
    private static final int SEND_BUFFER = 8 * 1024 * 1024;
    /** Random bytes that every transfer takes a run of, from an offset of its own. */
    private static final byte[] DATA = Bytes.random(new Random(7), LARGE + 2 * BOUNCE + 4096);

    /** How the thread that uses the array waits. */
    enum Mode {
        PLATFORM_BLOCKING, VIRTUAL_BLOCKING, NON_BLOCKING;

        boolean virtual() {
            return this == VIRTUAL_BLOCKING;
        }
    }

    static Stream<Arguments> writeCases() {
        return cases(Stream.of(BufferMemory.values()).toList());
    }

    static Stream<Arguments> readCases() {
        return cases(Stream.of(BufferMemory.values()).filter(BufferMemory::isWritable).toList());
    }

    /**
     * Every socket type with every pair of kinds, each pair in one mode: the modes take turns so that,
     * for each type, every kind meets every mode both as the first buffer and as the second.
     */
    private static Stream<Arguments> cases(List<BufferMemory> kinds) {
        List<Arguments> cases = new ArrayList<>();
        Mode[] modes = Mode.values();
        for (SocketType type : SocketType.values()) {
            for (int i = 0; i < kinds.size(); i++) {
                for (int j = 0; j < kinds.size(); j++) {
                    Mode mode = modes[(type.ordinal() + i + j) % modes.length];
                    cases.add(Arguments.of(type, kinds.get(i), kinds.get(j), mode));
                }
            }
        }
        return cases.stream();
    }

    /**
     * The sizes of the two buffers: the first just below, at and just above the bounce buffer's size and
     * of several MiB with a small one after it, a small one before one just above, two that fit together
     * and two that do not; a message only as large as the socket can send.
     */
    private static List<int[]> sizes(SocketType type, int maxMessage) {
        List<int[]> sizes = List.of(new int[] {BOUNCE - 1, SMALL}, new int[] {BOUNCE, SMALL},
                new int[] {BOUNCE + 1, SMALL}, new int[] {LARGE, SMALL}, new int[] {SMALL, BOUNCE + 1},
                new int[] {BOUNCE / 2, BOUNCE / 2}, new int[] {BOUNCE / 2 + 1, BOUNCE / 2 + 1});
        return sizes.stream().filter(s -> type == SocketType.STREAM || s[0] + s[1] <= maxMessage).toList();
    }

    /** {@code length} bytes of {@link #DATA} from an offset that {@code random} picks. */
    private static byte[] data(Random random, int length) {
        int from = random.nextInt(DATA.length - length + 1);
        return Arrays.copyOfRange(DATA, from, from + length);
    }

    private static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        assertThat(actual.length).as("length of %s", what).isEqualTo(expected.length);
        assertThat(Arrays.mismatch(actual, expected)).as("first wrong byte of %s", what).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0} write {1} + {2}, {3}")
    @MethodSource("writeCases")
    void gatheringWriteDeliversEveryByteInOrder(SocketType type, BufferMemory first, BufferMemory second, Mode mode)
            throws Exception {
        forEachSize(type, 31L * first.ordinal() + second.ordinal(), (pair, size, data, shared) -> {
            int total = data.length;
            ByteBuffer[] srcs = {first.source(data, 0, size[0], shared), second.source(data, size[0], total, shared)};
            CompletableFuture<byte[]> received = Concurrently.start(false, () -> readFully(pair.second(), type, total));
            CompletableFuture<Long> written = Concurrently.start(mode.virtual(),
                    () -> writeFully(pair.first(), srcs, mode));
            String what = Arrays.toString(size);
            assertThat(Concurrently.await(written)).as("written of %s", what).isEqualTo(total);
            assertSameBytes(Concurrently.await(received), data, what);
            assertThat(srcs).as("positions of %s", what).allSatisfy(b -> assertThat(b.hasRemaining()).isFalse());
        });
    }

    @ParameterizedTest(name = "{0} read {1} + {2}, {3}")
    @MethodSource("readCases")
    void scatteringReadFillsTheBuffersInOrder(SocketType type, BufferMemory first, BufferMemory second, Mode mode)
            throws Exception {
        forEachSize(type, 37L * first.ordinal() + second.ordinal(), (pair, size, data, shared) -> {
            ByteBuffer[] dsts = {first.allocate(size[0], shared), second.allocate(size[1], shared)};
            CompletableFuture<Integer> sent = Concurrently.start(false,
                    () -> pair.first().write(ByteBuffer.allocateDirect(data.length).put(data).flip()));
            CompletableFuture<Long> read = Concurrently.start(mode.virtual(),
                    () -> readFully(pair.second(), dsts, mode, type == SocketType.STREAM));
            String what = Arrays.toString(size);
            assertThat(Concurrently.await(read)).as("read of %s", what).isEqualTo(data.length);
            assertThat(Concurrently.await(sent)).isEqualTo(data.length);
            assertThat(dsts[0].position()).as("first position of %s", what).isEqualTo(size[0]);
            assertThat(dsts[1].position()).as("second position of %s", what).isEqualTo(size[1]);
            assertSameBytes(contents(dsts), data, what);
        });
    }

    /** One transfer of the two-buffer cases: a fresh pair, the sizes of the buffers and the bytes. */
    private interface SizeCase {
        void run(SocketPair pair, int[] size, byte[] data, Arena shared) throws Exception;
    }

    /** Runs {@code body} for each size of {@link #sizes}, on a new pair whose first end can send them. */
    private static void forEachSize(SocketType type, long seed, SizeCase body) throws Exception {
        Random random = new Random(seed);
        try (Arena shared = Arena.ofShared()) {
            for (int[] size : sizes(type, maxMessage(type))) {
                byte[] data = data(random, size[0] + size[1]);
                try (SocketPair pair = SocketPair.open(type)) {
                    pair.first().setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
                    body.run(pair, size, data, shared);
                }
            }
        }
    }

    @Test
    void aStreamReadIntoALargeHeapBufferAndADirectOneLeavesTheDirectOneEmptyUntilTheHeapOneIsFull() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
            pair.second().setOption(StandardSocketOptions.SO_RCVBUF, SEND_BUFFER);
            byte[] as = new byte[300_000];
            Arrays.fill(as, (byte) 'A');
            pair.first().write(ByteBuffer.wrap(as));
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("BBBBBBBBBB")));
            ByteBuffer heap = ByteBuffer.allocate(300_000);
            ByteBuffer direct = ByteBuffer.allocateDirect(10);
            ByteBuffer[] dsts = {heap, direct};

            long n = pair.second().read(dsts);

            assertThat(heap.position()).isEqualTo(n);
            assertThat(direct.position()).isZero();
            while (direct.hasRemaining()) {
                pair.second().read(dsts);
            }
            assertThat(Bytes.ascii(direct.flip())).isEqualTo("BBBBBBBBBB");
            assertThat(heap.array()).containsOnly((byte) 'A');
        }
    }

    @Test
    void aStreamWriteOfALargeHeapBufferAndADirectOneSendsTheDirectBytesAfterTheHeapBytes() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            byte[] as = new byte[300_000];
            Arrays.fill(as, (byte) 'A');
            ByteBuffer direct = ByteBuffer.allocateDirect(10).put(Bytes.ascii("BBBBBBBBBB")).flip();
            CompletableFuture<byte[]> received = Concurrently.start(false,
                    () -> readFully(pair.second(), SocketType.STREAM, 300_010));

            assertThat(pair.first().write(new ByteBuffer[] {ByteBuffer.wrap(as), direct})).isEqualTo(300_010);

            byte[] bytes = Concurrently.await(received);
            assertThat(Arrays.copyOf(bytes, 300_000)).containsOnly((byte) 'A');
            assertThat(Bytes.ascii(ByteBuffer.wrap(bytes, 300_000, 10))).isEqualTo("BBBBBBBBBB");
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void theSameBufferTwiceInAGatheringWriteIsSentTwiceAndEndsAtItsLimit(SocketType type) throws Exception {
        for (BufferMemory kind : List.of(BufferMemory.HEAP, BufferMemory.DIRECT, BufferMemory.READ_ONLY_HEAP)) {
            try (SocketPair pair = SocketPair.open(type); Arena shared = Arena.ofShared()) {
                ByteBuffer b = kind.source(Bytes.ascii("abc"), 0, 3, shared);

                assertThat(pair.first().write(new ByteBuffer[] {b, b})).as("%s", kind).isEqualTo(6);

                assertThat(b.position()).as("%s", kind).isEqualTo(3);
                ByteBuffer dst = ByteBuffer.allocate(10);
                assertThat(pair.second().read(dst)).isEqualTo(6);
                assertThat(Bytes.ascii(dst.flip())).isEqualTo("abcabc");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void theSameBufferTwiceInAScatteringReadHoldsTheLaterBytesAndEndsAtItsLimit(SocketType type) throws Exception {
        for (BufferMemory kind : List.of(BufferMemory.HEAP, BufferMemory.DIRECT, BufferMemory.SHARED_SEGMENT)) {
            try (SocketPair pair = SocketPair.open(type); Arena shared = Arena.ofShared()) {
                pair.first().write(ByteBuffer.wrap(Bytes.ascii("abcdef")));
                ByteBuffer b = kind.allocate(4, shared);

                assertThat(pair.second().read(new ByteBuffer[] {b, b})).as("%s", kind).isEqualTo(6);

                // As the kernel fills the memory of a direct buffer: "abcd", then "ef" over its start.
                assertThat(b.position()).as("%s", kind).isEqualTo(4);
                assertThat(Bytes.ascii(b.flip())).as("%s", kind).isEqualTo("efcd");
            }
        }
    }

    @Test
    void aDatagramGatheringWriteOfNoBytesSendsAnEmptyDatagram() throws Exception {
        Emulation.assumeNative(Emulation.SENDMSG_WITHOUT_IOVEC);
        ByteBuffer[][] arrays = {{}, {ByteBuffer.allocate(0)},
                {ByteBuffer.allocateDirect(4).position(4), ByteBuffer.allocate(0)}};
        for (ByteBuffer[] srcs : arrays) {
            try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
                pair.second().configureBlocking(false);

                assertThat(pair.first().write(srcs)).as("%d buffers", srcs.length).isZero();

                try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(8), 0)) {
                    assertThat(message).as("%d buffers", srcs.length).isNotNull();
                    assertThat(message.length()).isZero();
                }
                assertThat(pair.second().receive(ByteBuffer.allocate(8), 0)).isNull();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"STREAM", "SEQPACKET"})
    void aGatheringWriteOfNoBytesSendsNothingOnAStreamOrSeqpacket(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            pair.second().configureBlocking(false);

            assertThat(pair.first().write(new ByteBuffer[0])).isZero();
            assertThat(pair.first().write(new ByteBuffer[] {ByteBuffer.allocate(0)})).isZero();

            assertThat(pair.second().read(ByteBuffer.allocate(8))).isZero();
        }
    }

    /** The largest message {@code type} can send after the sender's buffer is raised. */
    private static int maxMessage(SocketType type) throws Exception {
        if (type == SocketType.STREAM) {
            return Integer.MAX_VALUE;
        }
        try (SocketPair pair = SocketPair.open(type)) {
            pair.first().setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
            // unix(7) sockets refuse a message within 32 bytes of the send buffer's size; leave more.
            return pair.first().getOption(StandardSocketOptions.SO_SNDBUF) - 4096;
        }
    }

    /**
     * Writes every buffer: one call when blocking (a blocking write returns when all is written, a
     * message goes whole), calls until all went when not. After every call the positions must say that
     * the bytes written are the first ones of the array.
     */
    private static long writeFully(UnixSocketChannel channel, ByteBuffer[] srcs, Mode mode) throws Exception {
        channel.configureBlocking(mode != Mode.NON_BLOCKING);
        int[] starts = Stream.of(srcs).mapToInt(ByteBuffer::position).toArray();
        long total = 0;
        do {
            long n = channel.write(srcs);
            total += n;
            assertPrefix(srcs, starts, total);
            if (n == 0) {
                Thread.onSpinWait();
            }
        } while (Stream.of(srcs).anyMatch(ByteBuffer::hasRemaining));
        return total;
    }

    /**
     * Reads until every buffer is full (a stream) or one message arrived, checking after every call that
     * what arrived filled the buffers from the first one on.
     */
    private static long readFully(UnixSocketChannel channel, ByteBuffer[] dsts, Mode mode, boolean stream)
            throws Exception {
        channel.configureBlocking(mode != Mode.NON_BLOCKING);
        int[] starts = new int[dsts.length];
        long total = 0;
        do {
            long n = channel.read(dsts);
            assertThat(n).isNotNegative();
            total += n;
            assertPrefix(dsts, starts, total);
            if (n == 0) {
                Thread.onSpinWait();
            } else if (!stream) {
                break;
            }
        } while (Stream.of(dsts).anyMatch(ByteBuffer::hasRemaining));
        return total;
    }

    /** Asserts that the buffers advanced by {@code moved} bytes in all, each only once those before it are done. */
    private static void assertPrefix(ByteBuffer[] buffers, int[] starts, long moved) {
        long advanced = 0;
        for (int i = 0; i < buffers.length; i++) {
            advanced += buffers[i].position() - starts[i];
            if (i > 0 && buffers[i].position() > starts[i]) {
                assertThat(buffers[i - 1].hasRemaining())
                        .as("buffer %d advanced to %d while buffer %d is at %d of %d", i, buffers[i].position(),
                                i - 1, buffers[i - 1].position(), buffers[i - 1].limit())
                        .isFalse();
            }
        }
        assertThat(advanced).as("positions against bytes moved").isEqualTo(moved);
    }

    /** Reads {@code total} bytes with plain reads into one direct buffer: a stream's bytes, or one message. */
    private static byte[] readFully(UnixSocketChannel channel, SocketType type, int total) throws Exception {
        ByteBuffer dst = ByteBuffer.allocateDirect(total + 1);
        do {
            assertThat(channel.read(dst)).isPositive();
        } while (type == SocketType.STREAM && dst.position() < total);
        assertThat(dst.position()).isEqualTo(total);
        byte[] bytes = new byte[total];
        dst.flip().get(bytes);
        return bytes;
    }

    /** The bytes of the buffers up to their positions, in order. */
    private static byte[] contents(ByteBuffer[] buffers) {
        ByteBuffer all = ByteBuffer.allocate(Stream.of(buffers).mapToInt(ByteBuffer::position).sum());
        for (ByteBuffer b : buffers) {
            all.put(b.duplicate().flip());
        }
        return all.array();
    }
}

package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A channel keeps nothing of its caller's between calls: once the caller drops a buffer, segment or
 * array that went through an open channel, the garbage collector can take it (and the memory behind it),
 * as with the JDK's channels. The channel keeps what it made for the buffer it saw last only weakly,
 * to use it again when the same buffer comes back.
 */
@Timeout(60)
class BufferRetentionTest {

    /** How many collections a dropped object may survive before the test calls it kept. */
    private static final int COLLECTIONS = 50;

    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    /** Heap and direct buffers; 8 KiB, large enough for the heap path to move them in place. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aBufferWrittenAndReadIsNotKept(boolean direct) throws Exception {
        IntFunction<ByteBuffer> allocate = direct ? ByteBuffer::allocateDirect : ByteBuffer::allocate;
        String kind = direct ? "direct" : "heap";
        try (SocketPair pair = SocketPair.open()) {
            WeakReference<Object> written = writeOnce(pair.first(), allocate.apply(8192));
            WeakReference<Object> read = readOnce(pair.second(), allocate.apply(8192), 8192);
            assertCollected(written, kind + " buffer written");
            assertCollected(read, kind + " buffer read into");
            assertStillWorks(pair);
        }
    }

    @Test
    void aSegmentOfTheAutomaticArenaWrittenAndReadIsNotKept() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            WeakReference<Object> written = writeSegmentOnce(pair.first());
            WeakReference<Object> read = readSegmentOnce(pair.second());
            assertCollected(written, "segment written");
            assertCollected(read, "segment read into");
            assertStillWorks(pair);
        }
    }

    @Test
    void theBuffersOfAMessageBatchAreNotKept() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
            WeakReference<Object> sent = sendBatchOnce(pair.first());
            WeakReference<Object> received = receiveBatchOnce(pair.second());
            assertCollected(sent, "array of messages sent");
            assertCollected(received, "array of buffers received into");
            assertThat(pair.first().write(ByteBuffer.wrap(new byte[] {9}))).isEqualTo(1);
            ByteBuffer in = ByteBuffer.allocate(1);
            assertThat(pair.second().read(in)).isEqualTo(1);
            assertThat(in.get(0)).isEqualTo((byte) 9);
        }
    }

    @Test
    void theArraysOfTheSocketViewsStreamsAreNotKept() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            WeakReference<Object> written = streamWriteOnce(pair.first());
            WeakReference<Object> read = streamReadOnce(pair.second());
            assertCollected(written, "array written to the output stream");
            assertCollected(read, "array read into from the input stream");
            assertStillWorks(pair);
        }
    }

    // Each helper below uses its object in a frame of its own, so that no local of the test keeps it.

    private WeakReference<Object> writeOnce(UnixSocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            buffer.put((byte) 3);
        }
        buffer.flip();
        assertThat(channel.write(buffer)).isEqualTo(buffer.capacity());
        return watch(buffer);
    }

    private WeakReference<Object> readOnce(UnixSocketChannel channel, ByteBuffer buffer, int expected)
            throws IOException {
        while (buffer.position() < expected) {
            assertThat(channel.read(buffer)).isPositive();
        }
        assertThat(buffer.get(expected - 1)).isEqualTo((byte) 3);
        return watch(buffer);
    }

    private WeakReference<Object> writeSegmentOnce(UnixSocketChannel channel) throws IOException {
        MemorySegment segment = Arena.ofAuto().allocate(8192).fill((byte) 3);
        assertThat(channel.write(segment)).isEqualTo(8192);
        return watch(segment);
    }

    private WeakReference<Object> readSegmentOnce(UnixSocketChannel channel) throws IOException {
        MemorySegment segment = Arena.ofAuto().allocate(8192);
        // The segment the channel saw last, a slice after a short read: the one it could keep.
        MemorySegment last = segment;
        long read = 0;
        while (true) {
            long n = channel.read(last);
            assertThat(n).isPositive();
            read += n;
            if (read == 8192) {
                break;
            }
            last = segment.asSlice(read);
        }
        assertThat(segment.get(ValueLayout.JAVA_BYTE, 8191)).isEqualTo((byte) 3);
        return watch(last);
    }

    private WeakReference<Object> sendBatchOnce(UnixSocketChannel channel) throws IOException {
        ByteBuffer[] messages = new ByteBuffer[4];
        Arrays.setAll(messages, i -> ByteBuffer.wrap(new byte[] {(byte) i, 1, 2, 3}));
        assertThat(channel.sendMessages(messages)).isEqualTo(4);
        return watch(messages[3]);
    }

    private WeakReference<Object> receiveBatchOnce(UnixSocketChannel channel) throws IOException {
        ByteBuffer[] buffers = new ByteBuffer[4];
        Arrays.setAll(buffers, i -> ByteBuffer.allocate(16));
        assertThat(channel.receiveMessages(buffers)).isEqualTo(4);
        assertThat(buffers[3].flip().get(0)).isEqualTo((byte) 3);
        return watch(buffers[3]);
    }

    private WeakReference<Object> streamWriteOnce(UnixSocketChannel channel) throws IOException {
        byte[] bytes = new byte[8192];
        Arrays.fill(bytes, (byte) 3);
        channel.socket().getOutputStream().write(bytes);
        return watch(bytes);
    }

    private WeakReference<Object> streamReadOnce(UnixSocketChannel channel) throws IOException {
        byte[] bytes = new byte[8192];
        int read = 0;
        while (read < bytes.length) {
            int n = channel.socket().getInputStream().read(bytes, read, bytes.length - read);
            assertThat(n).isPositive();
            read += n;
        }
        assertThat(bytes[8191]).isEqualTo((byte) 3);
        return watch(bytes);
    }

    private WeakReference<Object> watch(Object object) {
        return new WeakReference<>(object, collected);
    }

    /** Collects until {@code reference} is cleared, or fails after {@link #COLLECTIONS} collections. */
    private void assertCollected(WeakReference<Object> reference, String what) throws InterruptedException {
        for (int i = 0; i < COLLECTIONS && reference.get() != null; i++) {
            System.gc();
            // Waits for a reference to be enqueued, or a tenth of a second, whichever comes first.
            collected.remove(100);
        }
        assertThat(reference.get()).as("%s, dropped by the caller, is still reachable", what).isNull();
    }

    /** The channels, kept reachable until here, still move bytes both ways. */
    private static void assertStillWorks(SocketPair pair) throws IOException {
        for (UnixSocketChannel[] ends : new UnixSocketChannel[][] {{pair.first(), pair.second()},
                {pair.second(), pair.first()}}) {
            assertThat(ends[0].write(ByteBuffer.wrap(new byte[] {7}))).isEqualTo(1);
            ByteBuffer in = ByteBuffer.allocate(1);
            assertThat(ends[1].read(in)).isEqualTo(1);
            assertThat(in.get(0)).isEqualTo((byte) 7);
        }
        Reference.reachabilityFence(pair);
    }
}

package dev.socketpair.bench;

import dev.socketpair.SocketType;
import dev.socketpair.UnixSocketChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * 64-byte messages on a DGRAM connection, one thread sending, another receiving: ours sends them
 * {@value #BATCH} to a {@link UnixSocketChannel#sendMessages} call to a peer that takes them with
 * {@link UnixSocketChannel#receiveMessages} {@value #BATCH} buffers at a time; C sends each with a send(2)
 * of its own to a C peer that reads each with read(2). Messages per second. The variant
 * {@link Variant#C_BATCHED} is C too, batched as ours is, on a pair of its own: what batching gains on the
 * machine without any Java.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BatchedMessagesBenchmark extends ConnectedState {

    static final int SIZE = 64;
    static final int BATCH = 64;

    private UnixSocketChannel near;
    private ByteBuffer[] outgoing;
    private CBaseline.Pair batchedC;

    @Override
    public void open() throws Throwable {
        super.open();
        if (variant == Variant.C_BATCHED) {
            batchedC = new CBaseline.Pair(type().value());
            batchedC.startBatchedDrain(SIZE);
        }
    }

    @Override
    public void close() throws Throwable {
        if (batchedC != null) {
            batchedC.close();
        }
        super.close();
    }

    @Override
    SocketType type() {
        return SocketType.DGRAM;
    }

    @Override
    int messageSize() {
        return SIZE;
    }

    @Override
    int readSize() {
        return SIZE;
    }

    @Override
    boolean echoes() {
        return false;
    }

    @Override
    Thread startPeer() {
        near = (UnixSocketChannel) ((ChannelEnd) connection.first()).out();
        outgoing = buffers();
        for (ByteBuffer b : outgoing) {
            while (b.hasRemaining()) {
                b.put((byte) 7);
            }
        }
        UnixSocketChannel far = (UnixSocketChannel) ((ChannelEnd) connection.second()).in();
        return Peers.drainMessages(far, buffers());
    }

    /** {@value #BATCH} buffers of {@value #SIZE} bytes, direct or heap as the variant says. */
    private ByteBuffer[] buffers() {
        ByteBuffer[] buffers = new ByteBuffer[BATCH];
        for (int i = 0; i < BATCH; i++) {
            buffers[i] = variant == Variant.OURS_HEAP ? ByteBuffer.allocate(SIZE) : AlignedBuffers.direct(SIZE);
        }
        return buffers;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long send() throws Throwable {
        if (baseline) {
            return c.sendN(cBuffer, SIZE, BATCH);
        }
        if (batchedC != null) {
            return batchedC.sendBatchedN(cBuffer, SIZE, BATCH);
        }
        for (ByteBuffer b : outgoing) {
            b.rewind();
        }
        return near.sendMessages(outgoing);
    }
}

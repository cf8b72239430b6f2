package dev.socketpair.bench;

import dev.socketpair.SocketType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * One thread writes, another drains, on a STREAM connection: a score is writes per second. With
 * {@code size} 65536 this is bulk throughput, with 64 it is small messages.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StreamThroughputBenchmark {

    /** Writes per benchmark call, C or Java, so that a call's overhead is shared out. */
    static final int BATCH = 64;
    static final int READ_SIZE = 64 * 1024;

    @Param({"OURS_DIRECT"})
    public Variant variant;

    @Param({"65536"})
    public int size;

    private Arena arena;
    private CBaseline.Pair c;
    private MemorySegment cBuffer;
    private Variant.Connection connection;
    private Thread drain;
    private final Alternation alternation = new Alternation();
    private boolean baseline;

    @Setup(Level.Trial)
    public void open() throws Throwable {
        arena = Arena.ofShared();
        c = new CBaseline.Pair(SocketType.STREAM.value());
        c.startDrain(READ_SIZE);
        cBuffer = CBaseline.buffer(size);
        connection = variant.open(SocketType.STREAM, size, READ_SIZE, arena);
        drain = Peers.drain(connection.second(), false);
    }

    @Setup(Level.Iteration)
    public void alternate() {
        baseline = alternation.nextIsBaseline();
    }

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public long write() throws Throwable {
        if (baseline) {
            return c.writeN(cBuffer, size, BATCH);
        }
        End end = connection.first();
        for (int i = 0; i < BATCH; i++) {
            end.writeMessage();
        }
        return BATCH;
    }

    @TearDown(Level.Trial)
    public void close() throws Throwable {
        connection.first().close();
        drain.join();
        connection.close();
        c.close();
        arena.close();
    }
}

package dev.socketpair.bench;

import dev.socketpair.SocketType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/** 1 KiB messages on a SEQPACKET connection, one thread sending, another receiving: messages per second. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SeqpacketBenchmark {

    static final int SIZE = 1024;
    static final int BATCH = 64;

    @Param({"OURS_DIRECT"})
    public Variant variant;

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
        c = new CBaseline.Pair(SocketType.SEQPACKET.value());
        c.startDrain(SIZE);
        cBuffer = CBaseline.buffer(SIZE);
        connection = variant.open(SocketType.SEQPACKET, SIZE, SIZE, arena);
        drain = Peers.drain(connection.second(), false);
    }

    @Setup(Level.Iteration)
    public void alternate() {
        baseline = alternation.nextIsBaseline();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long send() throws Throwable {
        if (baseline) {
            return c.sendN(cBuffer, SIZE, BATCH);
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

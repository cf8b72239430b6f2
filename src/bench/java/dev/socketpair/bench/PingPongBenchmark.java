package dev.socketpair.bench;

import dev.socketpair.SocketType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * A 1-byte request and its 1-byte reply on a STREAM connection, on platform threads: every round trip
 * is sampled, for the median and the 99th percentile.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PingPongBenchmark {

    @Param({"OURS_DIRECT"})
    public Variant variant;

    private Arena arena;
    private CBaseline.Pair c;
    private Variant.Connection connection;
    private Thread echo;
    private final Alternation alternation = new Alternation();
    private boolean baseline;

    @Setup(Level.Trial)
    public void open() throws Throwable {
        arena = Arena.ofShared();
        c = new CBaseline.Pair(SocketType.STREAM.value());
        c.startEcho(1);
        connection = variant.open(SocketType.STREAM, 1, 1, arena);
        echo = Peers.echo(connection.second(), false);
    }

    @Setup(Level.Iteration)
    public void alternate() {
        baseline = alternation.nextIsBaseline();
    }

    @Benchmark
    public long roundTrip() throws Throwable {
        if (baseline) {
            return c.pingPongN(1);
        }
        End end = connection.first();
        end.writeMessage();
        end.readMessage();
        return 1;
    }

    @TearDown(Level.Trial)
    public void close() throws Throwable {
        connection.first().close();
        echo.join();
        connection.close();
        c.close();
        arena.close();
    }
}

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

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * The ping-pong with both sides on virtual threads: a call runs {@link #ROUNDS} round trips in a new
 * virtual thread, against an echo on another virtual thread. The C baseline is the same round trips on
 * platform threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VirtualThreadPingPongBenchmark {

    static final int ROUNDS = 200;

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
        echo = Peers.echo(connection.second(), true);
    }

    @Setup(Level.Iteration)
    public void alternate() {
        baseline = alternation.nextIsBaseline();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long roundTrips() throws Throwable {
        if (baseline) {
            return c.pingPongN(ROUNDS);
        }
        IOException[] failure = new IOException[1];
        Thread client = Thread.ofVirtual().start(() -> {
            End end = connection.first();
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    end.writeMessage();
                    end.readMessage();
                }
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        client.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return ROUNDS;
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

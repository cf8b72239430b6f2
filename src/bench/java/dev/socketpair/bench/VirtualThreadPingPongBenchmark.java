package dev.socketpair.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The ping-pong with both sides on virtual threads: a call runs {@link #ROUNDS} round trips in a new
 * virtual thread, against an echo on another virtual thread. The C baseline is the same round trips on
 * platform threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VirtualThreadPingPongBenchmark extends EchoState {

    static final int ROUNDS = 200;

    @Override
    boolean virtualPeer() {
        return true;
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
}

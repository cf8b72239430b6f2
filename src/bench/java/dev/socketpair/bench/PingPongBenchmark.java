package dev.socketpair.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * A 1-byte request and its 1-byte reply on a STREAM connection, on platform threads: every round trip
 * is sampled, for the median and the 99th percentile.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PingPongBenchmark extends EchoState {

    @Override
    boolean timesSideBySide() {
        return true;
    }

    @Benchmark
    public long roundTrip() throws Throwable {
        if (timesC()) {
            return c.pingPongN(1);
        }
        End end = timedEnd();
        end.writeMessage();
        end.readMessage();
        return 1;
    }
}

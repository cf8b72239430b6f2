package dev.socketpair.bench;

import dev.socketpair.SocketType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * One thread writes, another drains, on a STREAM connection: a score is writes per second. With
 * {@code size} 65536 this is bulk throughput, with 64 it is small messages.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StreamThroughputBenchmark extends ConnectedState {

    /** Writes per benchmark call, C or Java, so that a call's overhead is shared out. */
    static final int BATCH = 64;

    @Param({"65536"})
    public int size;

    @Override
    SocketType type() {
        return SocketType.STREAM;
    }

    @Override
    int messageSize() {
        return size;
    }

    @Override
    int readSize() {
        return 64 * 1024;
    }

    @Override
    boolean echoes() {
        return false;
    }

    @Override
    boolean timesSideBySide() {
        return true;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long write() throws Throwable {
        if (timesC()) {
            return c.writeN(cBuffer, size, BATCH);
        }
        End end = timedEnd();
        for (int i = 0; i < BATCH; i++) {
            end.writeMessage();
        }
        return BATCH;
    }
}

package dev.socketpair.bench;

import dev.socketpair.SocketType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/** 1 KiB messages on a SEQPACKET connection, one thread sending, another receiving: messages per second. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SeqpacketBenchmark extends ConnectedState {

    static final int SIZE = 1024;
    static final int BATCH = 64;

    @Override
    SocketType type() {
        return SocketType.SEQPACKET;
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
}

package dev.socketpair.bench;

import dev.socketpair.SocketType;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** A STREAM connection whose far side echoes every 1-byte message: the ping-pong workloads. */
@State(Scope.Benchmark)
public abstract class EchoState extends ConnectedState {

    @Override
    SocketType type() {
        return SocketType.STREAM;
    }

    @Override
    int messageSize() {
        return 1;
    }

    @Override
    int readSize() {
        return 1;
    }

    @Override
    boolean echoes() {
        return true;
    }
}

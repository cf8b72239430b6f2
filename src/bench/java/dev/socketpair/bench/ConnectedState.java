package dev.socketpair.bench;

import dev.socketpair.SocketType;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What every benchmark holds: a C pair with its C peer thread, a connection of the variant with its
 * Java peer thread, and the alternation between the two. A benchmark says which peer it needs and what
 * it moves.
 */
@State(Scope.Benchmark)
public abstract class ConnectedState {

    @Param({"OURS_DIRECT"})
    public Variant variant;

    /** The C baseline's pair; its far end is served by a C thread. */
    CBaseline.Pair c;
    /** What the C baseline writes. */
    MemorySegment cBuffer;
    /** The variant's connection, its second end served by a Java thread; none for a variant without Java ends. */
    Variant.Connection connection;
    /** True during the iterations that time the C baseline. */
    boolean baseline;

    private Arena arena;
    private Thread peer;
    private final Alternation alternation = new Alternation();

    /** The socket type both connections have. */
    abstract SocketType type();

    /** The size of one message written. */
    abstract int messageSize();

    /** The size of one read by the peer. */
    abstract int readSize();

    /** Whether the peer echoes each message (ping-pong) rather than draining. */
    abstract boolean echoes();

    /** Whether the Java peer runs on a virtual thread. */
    boolean virtualPeer() {
        return false;
    }

    @Setup(Level.Trial)
    public void open() throws Throwable {
        arena = Arena.ofShared();
        c = new CBaseline.Pair(type().value());
        if (echoes()) {
            c.startEcho(messageSize());
        } else {
            c.startDrain(readSize());
        }
        cBuffer = CBaseline.buffer(messageSize());
        if (Variant.CHANNELS.contains(variant)) {
            connection = variant.open(type(), messageSize(), readSize(), arena);
            peer = startPeer();
        }
    }

    /**
     * Starts the Java peer on the connection's second end, which echoes or drains; a benchmark whose
     * ends move something else than one buffer each sets them up here.
     */
    Thread startPeer() {
        return echoes() ? Peers.echo(connection.second(), virtualPeer()) : Peers.drain(connection.second(), virtualPeer());
    }

    @Setup(Level.Iteration)
    public void alternate() {
        baseline = alternation.nextIsBaseline();
    }

    @TearDown(Level.Trial)
    public void close() throws Throwable {
        if (connection == null) {
            c.close();
            arena.close();
            return;
        }
        connection.first().close();
        if (type() == SocketType.DGRAM) {
            // A datagram socket sees no end of stream when its peer closes: the peer's read ends when its
            // own end is closed under it.
            connection.second().close();
        }
        peer.join();
        connection.close();
        c.close();
        arena.close();
    }
}

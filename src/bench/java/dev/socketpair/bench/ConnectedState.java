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
 *
 * <p>A benchmark that moves one buffer each way can also time two Java variants side by side: with
 * {@link #against} naming another variant, that variant's connection is opened beside this one's, with
 * a peer of its own, and it, not C, runs in the iterations that alternate with the variant's.
 */
@State(Scope.Benchmark)
public abstract class ConnectedState {

    @Param({"OURS_DIRECT"})
    public Variant variant;

    /**
     * What the variant's iterations alternate with: {@value Alternation#C}, the C baseline, or the name
     * of another variant, for a benchmark that {@linkplain #timesSideBySide() can time two side by side}.
     */
    @Param({Alternation.C})
    public String against;

    /** The C baseline's pair; its far end is served by a C thread. */
    CBaseline.Pair c;
    /** What the C baseline writes. */
    MemorySegment cBuffer;
    /** The variant's connection, its second end served by a Java thread; none for a variant without Java ends. */
    Variant.Connection connection;
    /** True during the iterations that time the C baseline. */
    boolean baseline;

    /** The connection of the other variant that {@link #against} names, with its own peer; else null. */
    Variant.Connection againstConnection;

    private Arena arena;
    private Thread peer;
    private Thread againstPeer;
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

    /**
     * Whether this benchmark times the end {@link #timedEnd()} returns, so that {@link #against} may name
     * another variant; false unless a benchmark says so.
     */
    boolean timesSideBySide() {
        return false;
    }

    /** Whether this iteration times the C baseline. */
    boolean timesC() {
        return baseline && againstConnection == null;
    }

    /** The near end this iteration times, unless it times C: the variant's, or the other variant's. */
    End timedEnd() {
        return baseline ? againstConnection.first() : connection.first();
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
        if (!against.equals(Alternation.C)) {
            Variant other = Variant.valueOf(against);
            if (!timesSideBySide() || connection == null || !Variant.CHANNELS.contains(other)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + " cannot time " + variant
                        + " side by side with " + other);
            }
            againstConnection = other.open(type(), messageSize(), readSize(), arena);
            againstPeer = startPeer(againstConnection);
        }
    }

    /**
     * Starts the Java peer on the connection's second end, which echoes or drains; a benchmark whose
     * ends move something else than one buffer each sets them up here.
     */
    Thread startPeer() {
        return startPeer(connection);
    }

    private Thread startPeer(Variant.Connection on) {
        return echoes() ? Peers.echo(on.second(), virtualPeer()) : Peers.drain(on.second(), virtualPeer());
    }

    @Setup(Level.Iteration)
    public void alternate() {
        baseline = alternation.nextIsBaseline();
    }

    @TearDown(Level.Trial)
    public void close() throws Throwable {
        if (connection != null) {
            close(connection, peer);
        }
        if (againstConnection != null) {
            close(againstConnection, againstPeer);
        }
        c.close();
        arena.close();
    }

    /** Closes a Java connection once its peer has seen the end of it. */
    private void close(Variant.Connection open, Thread itsPeer) throws Throwable {
        open.first().close();
        if (type() == SocketType.DGRAM) {
            // A datagram socket sees no end of stream when its peer closes: the peer's read ends when its
            // own end is closed under it.
            open.second().close();
        }
        itsPeer.join();
        open.close();
    }
}

package dev.socketpair.bench;

import dev.socketpair.UnixSocketChannel;
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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A selector with {@code channels} connected channels registered for reading, of which {@link #READY}
 * become readable per round: one byte is written on the peers of the next {@code READY} (a different
 * set each round, rotating through all), then {@code select()}, the selected-key set iterated, a byte
 * read from each of its channels, the set cleared. Our channels with our selector
 * ({@link UnixSocketChannel#openSelector()}), or the JDK's UNIX-domain SocketChannels (connected through
 * a listening socket) with the JDK's {@link Selector}; the C baseline does the same with epoll on pairs
 * of its own. A score is the time of one round.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SelectorBenchmark {

    /** Channels made readable, selected and read per round. */
    static final int READY = 100;

    @Param({"OURS_DIRECT"})
    public Variant variant;

    @Param({"10000"})
    public int channels;

    private CBaseline.Selection c;
    private Selector selector;
    private final List<PairSource.Ends> pairs = new ArrayList<>();
    private SocketChannel[] peers;
    private int next;
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private final ByteBuffer in = ByteBuffer.allocateDirect(1);
    private final Alternation alternation = new Alternation();
    private boolean baseline;

    @Setup(Level.Trial)
    public void open() throws Throwable {
        if (channels % READY != 0) {
            throw new IllegalArgumentException("channels must be a multiple of " + READY + ": " + channels);
        }
        c = new CBaseline.Selection(channels);
        selector = switch (variant) {
            case OURS_DIRECT -> UnixSocketChannel.openSelector();
            case JDK_UNIX -> Selector.open();
            default -> throw new UnsupportedOperationException(variant.label);
        };
        peers = new SocketChannel[channels];
        try (PairSource source = PairSource.of(variant)) {
            for (int i = 0; i < channels; i++) {
                PairSource.Ends ends = source.open();
                pairs.add(ends);
                ends.first().configureBlocking(false);
                ends.first().register(selector, SelectionKey.OP_READ);
                peers[i] = ends.second();
            }
        }
        // Registrations are applied by the next selection operation: here, not in the first round.
        selector.selectNow();
        one.put((byte) 1);
    }

    @Setup(Level.Iteration)
    public void alternate() {
        baseline = alternation.nextIsBaseline();
    }

    @TearDown(Level.Trial)
    public void close() throws Throwable {
        for (PairSource.Ends ends : pairs) {
            ends.close();
        }
        selector.close();
        c.close();
    }

    @Benchmark
    public long round() throws Throwable {
        if (baseline) {
            return c.rounds(READY, 1);
        }
        for (int i = 0; i < READY; i++) {
            peers[next].write(one.clear());
            next = next + 1 == channels ? 0 : next + 1;
        }
        int read = 0;
        while (read < READY) {
            selector.select();
            Set<SelectionKey> selected = selector.selectedKeys();
            for (SelectionKey key : selected) {
                if (((ReadableByteChannel) key.channel()).read(in.clear()) != 1) {
                    throw new IOException("no byte on a selected channel");
                }
                read++;
            }
            selected.clear();
        }
        return read;
    }
}

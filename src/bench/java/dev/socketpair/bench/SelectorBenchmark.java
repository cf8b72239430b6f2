package dev.socketpair.bench;

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

import java.util.concurrent.TimeUnit;

/**
 * A selector with {@code channels} connected channels registered for reading, of which {@link #READY}
 * become readable per round (see {@link SelectorRounds}); the C baseline does the same with epoll on
 * pairs of its own, both ends of each registered too. A score is the time of one round.
 *
 * <p>With {@link #against} naming a Java variant instead of C, the iterations that alternate with the
 * variant's run that variant's channels and selector instead of C's: two Java selectors timed side by
 * side in one process, so that their quotient is measured iteration by iteration rather than made of
 * two ratios to C from different processes.
 *
 * <p>Each iteration opens what it times and closes the other side's channels first: C's and the
 * variant's channels, one descriptor each, are never open together, so that 10,000 channels fit in a
 * descriptor limit of 20,000 with the JVM's own. Opening happens in the iteration's set-up, outside the
 * time, but inside what JMH's allocation profiler counts: the allocation per selected key is counted by
 * {@link AllocationProbe} instead.
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

    /** What the variant alternates with: {@value Alternation#C}, or the name of another {@link Variant}. */
    @Param({Alternation.C})
    public String against;

    private CBaseline.Selection c;
    private SelectorRounds rounds;
    private final Alternation alternation = new Alternation();

    @Setup(Level.Trial)
    public void check() {
        if (channels % READY != 0) {
            throw new IllegalArgumentException("channels must be a multiple of " + READY + ": " + channels);
        }
    }

    @Setup(Level.Iteration)
    public void alternate() throws Throwable {
        boolean baseline = alternation.nextIsBaseline();
        close();
        if (!baseline) {
            rounds = SelectorRounds.open(variant, channels);
        } else if (against.equals(Alternation.C)) {
            c = new CBaseline.Selection(channels);
        } else {
            rounds = SelectorRounds.open(Variant.valueOf(against), channels);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Throwable {
        if (rounds != null) {
            SelectorRounds open = rounds;
            rounds = null;
            open.close();
        }
        if (c != null) {
            CBaseline.Selection open = c;
            c = null;
            open.close();
        }
    }

    @Benchmark
    public long round() throws Throwable {
        return c != null ? c.rounds(READY, 1) : rounds.round(READY);
    }
}

package dev.socketpair.bench;

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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A pair's whole life: open a STREAM pair, 64 bytes from the first end to the second and 64 back,
 * close both ends; direct ByteBuffers. The C baseline does the same with socketpair, write, read and
 * close. {@code idleThreads} platform threads wait in the JVM throughout, for costs that grow with the
 * number of threads.
 *
 * <p>A variant that leaves descriptors open would end the fork with EMFILE: the descriptors open are
 * counted around every iteration of the variant, what is left per pair is written to the file named by
 * {@value #FD_LOG_PROPERTY} (one line per trial: variant, idle threads, pairs, descriptors left), and an
 * iteration that would go past the limit at the rate seen so far fails before it starts. The runner
 * bounds such a variant's iterations by pairs rather than by time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LifecycleBenchmark {

    /** Pairs per benchmark call, C or Java. */
    static final int BATCH = 16;

    /** System property naming the file the descriptor counts are appended to. */
    static final String FD_LOG_PROPERTY = "spbench.fdlog";

    /** Descriptors kept free for the JVM, beyond what the iterations use. */
    private static final int RESERVE = 256;

    @Param({"OURS_DIRECT"})
    public Variant variant;

    @Param({"0"})
    public int idleThreads;

    private PairSource source;
    private IdleThreads idle;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64);
    private final ByteBuffer in = ByteBuffer.allocateDirect(64);
    private final Alternation alternation = new Alternation();
    private boolean baseline;

    // Counted around the variant's iterations.
    private long pairs;
    private long iterationPairs;
    private long lastIterationPairs;
    private long leaked;
    private int openBefore;

    @Setup(Level.Trial)
    public void open() throws Exception {
        while (out.hasRemaining()) {
            out.put((byte) 7);
        }
        source = PairSource.of(variant);
        idle = new IdleThreads(idleThreads);
    }

    @Setup(Level.Iteration)
    public void alternate() {
        baseline = alternation.nextIsBaseline();
        if (baseline) {
            return;
        }
        openBefore = Descriptors.open();
        iterationPairs = 0;
        if (leaked > 0) {
            double perPair = leaked / (double) pairs;
            long needed = (long) Math.ceil(perPair * lastIterationPairs) + RESERVE;
            int limit = Descriptors.softLimit();
            if (openBefore + needed > limit) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "%s leaves %.2f descriptors open per pair: with %d open, another %d pairs would pass the"
                                + " limit of %d", variant.label, perPair, openBefore, lastIterationPairs, limit));
            }
        }
    }

    @TearDown(Level.Iteration)
    public void count() {
        if (baseline) {
            return;
        }
        leaked += Descriptors.open() - openBefore;
        pairs += iterationPairs;
        lastIterationPairs = iterationPairs;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        idle.close();
        source.close();
        String line = String.format(Locale.ROOT, "%s %d %d %d%n", variant.name(), idleThreads, pairs, leaked);
        String log = System.getProperty(FD_LOG_PROPERTY);
        if (log != null) {
            Files.writeString(Path.of(log), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long lifecycle() throws Throwable {
        if (baseline) {
            return CBaseline.lifecycleN(BATCH);
        }
        for (int i = 0; i < BATCH; i++) {
            try (PairSource.Ends ends = source.open()) {
                ends.exchange(out, in);
            }
        }
        iterationPairs += BATCH;
        return BATCH;
    }
}

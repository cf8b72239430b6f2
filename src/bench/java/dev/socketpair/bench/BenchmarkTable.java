package dev.socketpair.bench;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the C baseline, runs every workload for every variant with JMH (each fork pinned to one CPU
 * unless asked otherwise, and with the descriptor limit raised), pairs every variant iteration with the
 * C iterations timed just before and just after it in the same process, and prints tables of figures,
 * their ratios to C with the spread of those ratios, and the targets.
 *
 * <p>Arguments: {@code full|short}, {@code pinned|unpinned}, the C source, the output directory.
 */
public final class BenchmarkTable {

    /**
     * How long to measure. Warm-up iterations last as long as measured ones: the JIT needs seconds on
     * one CPU for the longer paths, and a shorter warm-up left slow iterations among the measured ones.
     */
    private record Settings(int forks, int warmups, int measurements, TimeValue iterationTime, int startupRuns,
                            int memoryPairs) {

        /** The variant's iterations in one fork, warm-up included: every other one. */
        int variantIterations() {
            return (warmups + measurements) / 2;
        }

        /** The measured variant iterations of one fork, each between two measured C iterations. */
        int measuredPerFork() {
            return measurements / 2;
        }
    }

    /**
     * Six variant iterations per figure, three in each of two JVMs, after three iterations of a second of
     * each side (or of as many pairs as a measured one, where bounded). The measured iterations begin and
     * end with C (C, variant, C, variant, C, variant, C), so that every variant iteration has a C
     * iteration on each side. With half a second of warm-up,
     * the first measured variant iteration was still the slowest in several workloads: the lifecycle's
     * ran 20 times slower in the first second than after three, the virtual-thread ping-pong's went
     * 23, 20 and 17 µs in one JVM, the selector's 948, 852 and 830 µs, and heap bulk writes were 9%
     * slower in the first iteration than in the next.
     */
    private static final Settings FULL = new Settings(2, 6, 7, TimeValue.seconds(1), 11, 10_000);
    private static final Settings SHORT = new Settings(1, 4, 3, TimeValue.milliseconds(500), 9, 10_000);

    /** The channels the selector workload asks for, if the descriptor limit holds them. */
    private static final int SELECTOR_CHANNELS = 10_000;
    /** Descriptors a benchmark JVM keeps free beyond what a workload opens. */
    private static final int RESERVE = 256;
    /** Idle platform threads in the second lifecycle workload. */
    private static final int IDLE_THREADS = 1000;

    /**
     * A column of the first table (throughput and latency) or the second (pairs in numbers), or (table 0)
     * a run that only a target reads.
     */
    private enum Workload {
        BULK("bulk 64 KiB writes", "GiB/s", 1, StreamThroughputBenchmark.class, Map.of("size", "65536"),
                Variant.CHANNELS, opsPerSecond -> opsPerSecond * 65536 / (1 << 30)),
        SMALL("small 64 B writes", "M msg/s", 1, StreamThroughputBenchmark.class, Map.of("size", "64"),
                Variant.CHANNELS, opsPerSecond -> opsPerSecond / 1e6),
        PING_PONG("ping-pong median", "µs", 1, PingPongBenchmark.class, Map.of(),
                Variant.CHANNELS, Function.identity()),
        VIRTUAL_PING_PONG("virtual-thread ping-pong", "µs", 1, VirtualThreadPingPongBenchmark.class, Map.of(),
                List.of(Variant.OURS_DIRECT, Variant.JDK_UNIX), Function.identity()),
        SEQPACKET("SEQPACKET 1 KiB", "M msg/s", 1, SeqpacketBenchmark.class, Map.of(),
                List.of(Variant.OURS_DIRECT, Variant.OURS_HEAP, Variant.OURS_SEGMENT, Variant.JUNIXSOCKET),
                opsPerSecond -> opsPerSecond / 1e6),
        BATCHED("batched 64 B DGRAM messages", "M msg/s", 1, BatchedMessagesBenchmark.class, Map.of(),
                List.of(Variant.OURS_DIRECT, Variant.OURS_HEAP, Variant.C_BATCHED), opsPerSecond -> opsPerSecond / 1e6),
        LIFECYCLE("pair lifecycle, no idle threads", "µs", 2, LifecycleBenchmark.class, Map.of("idleThreads", "0"),
                List.of(Variant.OURS_DIRECT, Variant.JUNIXSOCKET, Variant.JDK_UNIX), Function.identity()),
        LIFECYCLE_IDLE_THREADS("pair lifecycle, " + IDLE_THREADS + " idle threads", "µs", 2, LifecycleBenchmark.class,
                Map.of("idleThreads", Integer.toString(IDLE_THREADS)),
                List.of(Variant.OURS_DIRECT, Variant.JUNIXSOCKET, Variant.JDK_UNIX), Function.identity()),
        SELECTOR("selector round", "µs", 2, SelectorBenchmark.class, Map.of(),
                List.of(Variant.OURS_DIRECT, Variant.JDK_UNIX), Function.identity()),
        /*
         * The runs below put another Java variant in C's place, so that two are timed side by side in one
         * JVM for the targets that compare them: in neither table, each ratio is the first variant's
         * figure over the other's.
         */
        SELECTOR_AGAINST_JDK("selector round, ours against the JDK's", "µs", 0, SelectorBenchmark.class,
                against(Variant.JDK_UNIX, Map.of()), List.of(Variant.OURS_DIRECT), Function.identity()),
        BULK_HEAP_AGAINST_DIRECT("bulk 64 KiB writes, heap against direct", "GiB/s", 0,
                StreamThroughputBenchmark.class, against(Variant.OURS_DIRECT, BULK.params), List.of(Variant.OURS_HEAP),
                BULK.scale),
        BULK_AGAINST_JDK("bulk 64 KiB writes, ours against the JDK's", "GiB/s", 0, StreamThroughputBenchmark.class,
                against(Variant.JDK_UNIX, BULK.params), List.of(Variant.OURS_DIRECT), BULK.scale),
        BULK_AGAINST_JUNIXSOCKET("bulk 64 KiB writes, ours against junixsocket", "GiB/s", 0,
                StreamThroughputBenchmark.class, against(Variant.JUNIXSOCKET, BULK.params),
                List.of(Variant.OURS_DIRECT), BULK.scale),
        PING_PONG_AGAINST_JDK("ping-pong median, ours against the JDK's", "µs", 0, PingPongBenchmark.class,
                against(Variant.JDK_UNIX, Map.of()), List.of(Variant.OURS_DIRECT), Function.identity()),
        PING_PONG_AGAINST_JUNIXSOCKET("ping-pong median, ours against junixsocket", "µs", 0, PingPongBenchmark.class,
                against(Variant.JUNIXSOCKET, Map.of()), List.of(Variant.OURS_DIRECT), Function.identity());

        final String title;
        final String unit;
        final int table;
        final Class<?> benchmark;
        final Map<String, String> params;
        final List<Variant> variants;
        final Function<Double, Double> scale;

        Workload(String title, String unit, int table, Class<?> benchmark, Map<String, String> params,
                 List<Variant> variants, Function<Double, Double> scale) {
            this.title = title;
            this.unit = unit;
            this.table = table;
            this.benchmark = benchmark;
            this.params = params;
            this.variants = variants;
            this.scale = scale;
        }

        /** {@code params} and the parameter that puts {@code other} in C's place. */
        private static Map<String, String> against(Variant other, Map<String, String> params) {
            Map<String, String> all = new HashMap<>(params);
            all.put("against", other.name());
            return Map.copyOf(all);
        }

        boolean isLifecycle() {
            return benchmark == LifecycleBenchmark.class;
        }

        /** What the variant's iterations alternate with, and its ratios are to: C, or another variant. */
        String baseline() {
            String against = params.getOrDefault("against", Alternation.C);
            return against.equals(Alternation.C) ? "C" : Variant.valueOf(against).label;
        }
    }

    /**
     * What one run (workload x variant) measured, paired with its C baseline: medians of the figures,
     * and the per-pair ratios to C with their spread.
     */
    private record Cell(double c, double variant, Spread ratio, double p99, Spread p99Ratio, double allocation,
                        double cAllocation, int pairsPerIteration) {
    }

    /** What the {@link MemoryProbe} measured for a variant: per pair, in bytes, by state. */
    private record Memory(int pairs, int limit, int descriptorsPerPair, Map<String, long[]> perPair, double leftPer1000) {
    }

    private static final List<String> MEMORY_STATES = List.of("idle", "direct", "heap");

    private final Settings settings;
    private final Path launcher;
    private final Path library;
    private final Path outDir;
    private final int limit = Descriptors.benchmarkLimit();
    private final int selectorChannels;
    private final Map<Workload, Map<Variant, Cell>> cells = new EnumMap<>(Workload.class);
    private final Map<Variant, Map<AllocationProbe.Workload, Double>> allocation = new EnumMap<>(Variant.class);
    /** Bytes per selected key counted on the selecting thread by {@link AllocationProbe}, in each of its windows. */
    private final Map<Variant, List<Double>> selectorAllocation = new EnumMap<>(Variant.class);
    /** The garbage collections during each of those windows. */
    private final Map<Variant, List<Long>> selectorCollections = new EnumMap<>(Variant.class);
    /** The recording of our selector workload, kept if one of its windows was at or over the probe's threshold. */
    private String selectorProfile;
    private final Map<Variant, Memory> memory = new EnumMap<>(Variant.class);

    private BenchmarkTable(Settings settings, Path launcher, Path library, Path outDir) {
        this.settings = settings;
        this.launcher = launcher;
        this.library = library;
        this.outDir = outDir;
        // One descriptor per channel, C's or the variant's: the two are never open together.
        int fits = (limit - RESERVE) / SelectorBenchmark.READY * SelectorBenchmark.READY;
        this.selectorChannels = Math.min(SELECTOR_CHANNELS, fits);
    }

    public static void main(String[] args) throws Exception {
        Settings settings = args[0].equals("short") ? SHORT : FULL;
        boolean pinned = !args[1].equals("unpinned");
        Path source = Path.of(args[2]);
        Path outDir = Path.of(args[3]);
        Files.createDirectories(outDir);

        Path library = outDir.resolve("libspbench.so");
        run(List.of("gcc", "-O2", "-shared", "-fPIC", "-Wall", "-o", library.toString(), source.toString(), "-lpthread"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path launcher = launcher(java, pinned, outDir);

        long start = System.nanoTime();
        BenchmarkTable table = new BenchmarkTable(settings, launcher, library, outDir);
        System.out.println(table.limits());
        Files.deleteIfExists(table.fdLog());
        // First, since the descriptors a variant leaves open per pair bound its lifecycle iterations.
        for (Variant v : List.of(Variant.OURS_DIRECT, Variant.JUNIXSOCKET, Variant.JDK_UNIX)) {
            table.measureMemory(v);
        }
        for (Workload w : Workload.values()) {
            for (Variant v : w.variants) {
                table.measure(w, v);
            }
        }
        Startup startup = table.startup();
        table.countAllocation(args[0]);
        String report = table.report(pinned, args[0], startup, (System.nanoTime() - start) / 1e9);
        System.out.println();
        System.out.println(report);
        Files.writeString(outDir.resolve("results.md"), report);
    }

    /**
     * A script that starts a benchmark JVM with the descriptor limit raised (to {@link Descriptors#WANTED_LIMIT},
     * or the hard limit if that is lower) and, if {@code pinned}, pinned to CPU 1: the JVM of every JMH fork
     * and probe.
     */
    private static Path launcher(Path java, boolean pinned, Path outDir) throws IOException {
        Path script = outDir.resolve(pinned ? "java-pinned" : "java-unpinned");
        Files.writeString(script, "#!/bin/sh\n" + Descriptors.raiseLimitCommand() + "\nexec "
                + (pinned ? "taskset -c 1 " : "") + "'" + java + "' \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private String limits() {
        String how = limit >= Descriptors.WANTED_LIMIT ? "raised to " + limit
                : limit + ", the hard limit (" + Descriptors.WANTED_LIMIT + " is not allowed)";
        String selector = selectorChannels == SELECTOR_CHANNELS ? ""
                : String.format(Locale.ROOT, "; the selector workload runs with %,d channels, since %,d channels"
                        + " need %,d descriptors", selectorChannels, SELECTOR_CHANNELS, SELECTOR_CHANNELS + RESERVE);
        return "Descriptor limit in the benchmark JVMs: " + how + selector + ".";
    }

    private Path fdLog() {
        return outDir.resolve("descriptors-lifecycle.txt");
    }

    private String title(Workload w) {
        return w == Workload.SELECTOR
                ? String.format(Locale.ROOT, "selector round, %d ready of %,d channels", SelectorBenchmark.READY,
                        selectorChannels)
                : w.title;
    }

    /**
     * Pairs per iteration for a variant that leaves descriptors open, so that the fork's iterations stay
     * inside the limit; 0 for a variant that leaves none, whose iterations are timed.
     */
    private int boundedPairs(Workload workload, Variant variant) {
        Memory m = memory.get(variant);
        if (!workload.isLifecycle() || m == null || m.leftPer1000 < 1) {
            return 0;
        }
        double leftPerPair = m.leftPer1000 / 1000;
        int pairs = (int) ((limit - 4 * RESERVE) / (leftPerPair * settings.variantIterations()));
        return Math.max(1, pairs / LifecycleBenchmark.BATCH) * LifecycleBenchmark.BATCH;
    }

    private void measure(Workload workload, Variant variant) throws Exception {
        long t0 = System.nanoTime();
        System.out.printf(Locale.ROOT, "%-32s %-24s ", title(workload), variant.label);
        System.out.flush();
        int boundedPairs = boundedPairs(workload, variant);
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(workload.benchmark.getName()) + "\\.")
                .param("variant", variant.name())
                .forks(settings.forks)
                .warmupIterations(settings.warmups)
                .warmupTime(settings.iterationTime)
                .measurementIterations(settings.measurements)
                .measurementTime(settings.iterationTime)
                .jvm(launcher.toString())
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-D" + CBaseline.LIBRARY_PROPERTY + "=" + library,
                        "-D" + LifecycleBenchmark.FD_LOG_PROPERTY + "=" + fdLog())
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL)
                .output(outDir.resolve("jmh-" + workload.name().toLowerCase(Locale.ROOT) + "-"
                        + variant.name().toLowerCase(Locale.ROOT) + ".log").toString());
        workload.params.forEach(options::param);
        if (workload.benchmark == SelectorBenchmark.class) {
            options.param("channels", Integer.toString(selectorChannels));
        }
        if (boundedPairs > 0) {
            // A single shot per iteration of so many calls, C's as well, instead of a time.
            int calls = boundedPairs / LifecycleBenchmark.BATCH;
            options.mode(Mode.SingleShotTime).warmupBatchSize(calls).measurementBatchSize(calls);
        }
        RunResult result = new Runner(options.build()).runSingle();
        Cell cell = cell(workload, result, boundedPairs);
        cells.computeIfAbsent(workload, k -> new EnumMap<>(Variant.class)).put(variant, cell);
        System.out.printf(Locale.ROOT, "%10.3f %-8s %s %s   (%.0f s)%n", cell.variant, workload.unit, cell.ratio.ratio(),
                workload.baseline(),
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Pairs each variant iteration with the C iterations on either side of it, fork by fork, and takes
     * medians. A variant iteration's ratio is to the geometric mean of the two C iterations, so that a
     * machine whose speed drifts steadily across the three seconds moves both sides of the ratio alike;
     * the C figure is the median of every C iteration. An iteration bounded by pairs is a single shot of
     * many calls, which JMH reports per call: its time and allocation are divided by the calls.
     */
    private Cell cell(Workload workload, RunResult result, int boundedPairs) {
        double calls = boundedPairs > 0 ? boundedPairs / (double) LifecycleBenchmark.BATCH : 1;
        List<Double> c = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> p99Ratios = new ArrayList<>();
        List<Double> allocation = new ArrayList<>();
        List<Double> cAllocation = new ArrayList<>();
        for (BenchmarkResult fork : result.getBenchmarkResults()) {
            List<IterationResult> iterations = new ArrayList<>(fork.getIterationResults());
            if (iterations.size() % 2 != 1 || !Alternation.isBaseline(settings.warmups, 0)) {
                throw new IllegalStateException("iterations out of step: " + iterations.size() + " measured");
            }
            for (int i = 0; i < iterations.size(); i += 2) {
                c.add(score(workload, iterations.get(i), calls));
            }
            for (int i = 1; i < iterations.size(); i += 2) {
                IterationResult before = iterations.get(i - 1);
                IterationResult after = iterations.get(i + 1);
                double vScore = score(workload, iterations.get(i), calls);
                v.add(vScore);
                ratios.add(overNeighbours(vScore, score(workload, before, calls), score(workload, after, calls)));
                if (workload.benchmark == PingPongBenchmark.class) {
                    double vTail = percentile(iterations.get(i), 99);
                    p99.add(vTail);
                    p99Ratios.add(overNeighbours(vTail, percentile(before, 99), percentile(after, 99)));
                }
                Result alloc = iterations.get(i).getSecondaryResults().get("gc.alloc.rate.norm");
                Result cAlloc = before.getSecondaryResults().get("gc.alloc.rate.norm");
                if (alloc != null && cAlloc != null) {
                    allocation.add(alloc.getScore() / calls);
                    cAllocation.add(cAlloc.getScore() / calls);
                }
            }
        }
        return new Cell(Spread.of(c).median(), Spread.of(v).median(), Spread.of(ratios), Spread.of(p99).median(),
                Spread.of(p99Ratios), Spread.of(allocation).median(), Spread.of(cAllocation).median(),
                boundedPairs);
    }

    /** A variant's figure over the geometric mean of the C figures measured just before and after it. */
    private static double overNeighbours(double variant, double cBefore, double cAfter) {
        return variant / Math.sqrt(cBefore * cAfter);
    }

    /** The iteration's figure in the table's unit, per call where an iteration is a batch of calls. */
    private static double score(Workload workload, IterationResult iteration, double calls) {
        return workload.scale.apply(central(workload, iteration) / calls);
    }

    /** The iteration's score; for sampled round trips, the median sample. */
    private static double central(Workload workload, IterationResult iteration) {
        return workload.benchmark == PingPongBenchmark.class ? percentile(iteration, 50)
                : iteration.getPrimaryResult().getScore();
    }

    private static double percentile(IterationResult iteration, double p) {
        return iteration.getPrimaryResult().getStatistics().getPercentile(p);
    }

    private static double median(List<Double> values) {
        return Spread.of(values).median();
    }

    /** Whole processes to their first byte sent and read back: milliseconds, and ours over junixsocket run by run. */
    private record Startup(Spread ours, Spread junixsocket, Spread ratio, int runs) {
    }

    /** Whole processes from launch to their first pair open and first byte read back, ours and junixsocket's alternately. */
    private Startup startup() throws Exception {
        System.out.printf(Locale.ROOT, "%-32s ", "first open + first write");
        List<Double> ours = new ArrayList<>();
        List<Double> junixsocket = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < settings.startupRuns; i++) {
            double o = startupMillis("ours");
            double j = startupMillis("junixsocket");
            ours.add(o);
            junixsocket.add(j);
            ratios.add(o / j);
        }
        Startup startup = new Startup(Spread.of(ours), Spread.of(junixsocket), Spread.of(ratios), settings.startupRuns);
        System.out.printf(Locale.ROOT, "ours %s ms, junixsocket %s ms%n", startup.ours.format(0),
                startup.junixsocket.format(0));
        return startup;
    }

    /** Runs the {@link AllocationProbe} in a JVM of its own and keeps its counts. */
    private void countAllocation(String mode) throws Exception {
        System.out.printf(Locale.ROOT, "%-32s ", "allocation (per thread)");
        System.out.flush();
        for (String line : probe(List.of(), AllocationProbe.class, mode, Integer.toString(selectorChannels),
                outDir.toString())) {
            String[] fields = line.split(" ");
            if (fields.length < 3) {
                throw new IllegalStateException("allocation probe printed: " + line);
            }
            if (fields[1].equals(AllocationProbe.SELECTOR)) {
                selectorAllocation.put(Variant.valueOf(fields[0]), windowValues(fields, Double::parseDouble));
                continue;
            }
            if (fields[1].equals(AllocationProbe.SELECTOR_COLLECTIONS)) {
                selectorCollections.put(Variant.valueOf(fields[0]), windowValues(fields, Long::parseLong));
                continue;
            }
            if (fields[1].equals(AllocationProbe.SELECTOR_PROFILE)) {
                selectorProfile = fields[2];
                continue;
            }
            if (fields.length != 3) {
                throw new IllegalStateException("allocation probe printed: " + line);
            }
            allocation.computeIfAbsent(Variant.valueOf(fields[0]), k -> new EnumMap<>(AllocationProbe.Workload.class))
                    .put(AllocationProbe.Workload.valueOf(fields[1]), Double.parseDouble(fields[2]));
        }
        System.out.println("done");
    }

    /**
     * Runs the {@link MemoryProbe} for {@code variant} in a JVM of its own, with Native Memory Tracking
     * and a fixed heap touched in advance, so that the resident set grows with native memory only.
     */
    private void measureMemory(Variant variant) throws Exception {
        System.out.printf(Locale.ROOT, "%-32s %-24s ", "memory per open pair", variant.label);
        System.out.flush();
        int pairs = 0;
        int probeLimit = 0;
        int descriptors = 0;
        long[] before = null;
        Map<String, long[]> perPair = new LinkedHashMap<>();
        double leftPer1000 = Double.NaN;
        for (String line : probe(List.of("-XX:NativeMemoryTracking=summary", "-Xms256m", "-Xmx256m",
                "-XX:+AlwaysPreTouch"), MemoryProbe.class, variant.name(), Integer.toString(settings.memoryPairs))) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "pairs" -> {
                    pairs = Integer.parseInt(f[1]);
                    probeLimit = Integer.parseInt(f[2]);
                    descriptors = Integer.parseInt(f[3]);
                }
                case "state" -> {
                    // RSS, NMT total and NMT Other in KiB, then the heap in bytes: all to bytes.
                    long[] values = {Long.parseLong(f[2]) * 1024, Long.parseLong(f[3]) * 1024,
                            Long.parseLong(f[4]) * 1024, Long.parseLong(f[5])};
                    if (before == null) {
                        before = values;
                    } else {
                        long[] delta = new long[values.length];
                        for (int i = 0; i < values.length; i++) {
                            delta[i] = Math.round((values[i] - before[i]) / (double) pairs);
                        }
                        perPair.put(f[1], delta);
                    }
                }
                case "left" -> leftPer1000 = Long.parseLong(f[1]) * 1000.0 / Long.parseLong(f[2]);
                default -> System.out.println(line);
            }
        }
        if (!perPair.keySet().containsAll(MEMORY_STATES) || Double.isNaN(leftPer1000)) {
            throw new IllegalStateException("memory probe for " + variant + " did not finish");
        }
        memory.put(variant, new Memory(pairs, probeLimit, descriptors, perPair, leftPer1000));
        long[] heap = perPair.get("heap");
        System.out.printf(Locale.ROOT, "%,d pairs: after traffic %d B RSS, %d B native per pair%n", pairs, heap[0], heap[1]);
    }

    /** Runs {@code probe} in a JVM of its own, through the launcher, and returns the lines it printed. */
    private List<String> probe(List<String> jvmArgs, Class<?> probe, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "--enable-native-access=ALL-UNNAMED",
                "-D" + CBaseline.LIBRARY_PROPERTY + "=" + library));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), probe.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (!line.startsWith("WARNING:")) {
                    lines.add(line);
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(probe.getSimpleName() + " failed:\n" + String.join("\n", lines));
        }
        return lines;
    }

    private double startupMillis(String which) throws Exception {
        List<String> command = List.of(launcher.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StartupProbe.class.getName(), which);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            long t1 = System.nanoTime();
            if (line == null || !line.startsWith("opened and sent")) {
                throw new IllegalStateException(which + " startup probe printed: " + line);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return (t1 - t0) / 1e6;
        }
    }

    private String report(boolean pinned, String mode, Startup startup, double seconds) throws Exception {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "Measured %s on %s (%d CPUs, %s %s), Java %s, %s mode, %s, in %.0f s.%n%n",
                LocalDate.now(), cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.version(), mode,
                pinned ? "each benchmark JVM pinned to CPU 1 (taskset -c 1)" : "unpinned", seconds));
        s.append(limits()).append("\n\n");
        s.append(String.format(Locale.ROOT, "Each figure is the median over %d variant iterations (%d per JVM,"
                        + " %d JVMs), each between two C iterations (C's figure is the median of its %d); after it, its"
                        + " ratio to C, the median of the variant iterations' ratios to the geometric mean of the C"
                        + " iterations on either side, and in brackets the lowest and highest of those ratios. For times"
                        + " (µs) lower is better, for rates higher. Where a target compares two Java variants, a run of"
                        + " its own times them side by side in the same way, the other variant in C's place.%n%n",
                settings.forks * settings.measuredPerFork(), settings.measuredPerFork(), settings.forks,
                settings.forks * (settings.measuredPerFork() + 1)));
        s.append(throughputTable());
        s.append(overPlainFfm());
        s.append(String.format(Locale.ROOT, "%nFirst pair open and first byte written and read back, whole process from"
                        + " launch, %d runs each, alternately: ours %s ms, junixsocket %s ms; ours/junixsocket run by run %s.%n",
                startup.runs, startup.ours.format(0), startup.junixsocket.format(0), startup.ratio.ratio()));
        s.append("\nAllocation counts every thread of the benchmark JVM, the reading or echoing peer included; the C row"
                + " is what JMH and the harness allocate around the C baseline, the floor of every figure.\n\n");
        s.append("Allocation per operation counted exactly, on the two threads that use the connection (the JVM's"
                + " per-thread counters, after a long warm-up; bytes):\n\n| variant | bulk | small | ping-pong |\n"
                + "|---|---|---|---|\n");
        for (Variant v : AllocationProbe.VARIANTS) {
            Map<AllocationProbe.Workload, Double> counts = allocation.get(v);
            s.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", v.label,
                    counts.get(AllocationProbe.Workload.BULK), counts.get(AllocationProbe.Workload.SMALL),
                    counts.get(AllocationProbe.Workload.PING_PONG)));
        }
        s.append('\n').append(pairsTable()).append('\n').append(memoryTable()).append('\n');
        s.append(targets(startup));
        return s.toString();
    }

    private String throughputTable() {
        StringBuilder s = new StringBuilder("| variant |");
        List<Workload> workloads = workloads(1);
        for (Workload w : workloads) {
            s.append(' ').append(title(w)).append(" (").append(w.unit).append(") |");
            if (w == Workload.PING_PONG) {
                s.append(" ping-pong p99 (µs) |");
            }
        }
        s.append(" allocation per op, bulk / small / ping-pong (B) |\n|---|");
        s.append("---|".repeat(workloads.size() + 2)).append('\n');
        s.append("| C (baseline) |");
        for (Workload w : workloads) {
            s.append(String.format(Locale.ROOT, " %.3f |", cMedian(w)));
            if (w == Workload.PING_PONG) {
                s.append(" |");
            }
        }
        s.append(String.format(Locale.ROOT, " %s / %s / %s |%n", cAllocation(Workload.BULK),
                cAllocation(Workload.SMALL), cAllocation(Workload.PING_PONG)));
        for (Variant v : Variant.values()) {
            s.append("| ").append(v.label).append(" |");
            for (Workload w : workloads) {
                Cell cell = cells.get(w).get(v);
                s.append(figure(cell, 3));
                if (w == Workload.PING_PONG) {
                    s.append(cell == null ? " |"
                            : String.format(Locale.ROOT, " %.1f, %s |", cell.p99, cell.p99Ratio.ratio()));
                }
            }
            s.append(String.format(Locale.ROOT, " %s / %s / %s |%n", allocation(Workload.BULK, v),
                    allocation(Workload.SMALL, v), allocation(Workload.PING_PONG, v)));
        }
        return s.toString();
    }

    /**
     * Where the distance to C lies: plain FFM calls against C (what any Java caller of read(2) and write(2)
     * pays), and the library against plain FFM calls (what its channel semantics cost).
     */
    private String overPlainFfm() {
        StringBuilder ffm = new StringBuilder();
        StringBuilder ours = new StringBuilder();
        for (Workload w : List.of(Workload.BULK, Workload.SMALL, Workload.PING_PONG)) {
            Spread plain = cells.get(w).get(Variant.PLAIN_FFM).ratio;
            String separator = w == Workload.BULK ? "" : ", ";
            ffm.append(separator).append(title(w)).append(' ').append(plain.ratio());
            ours.append(separator).append(title(w)).append(' ')
                    .append(cells.get(w).get(Variant.OURS_DIRECT).ratio.over(plain).ratio());
        }
        return String.format(Locale.ROOT, "%nPlain FFM calls against C: %s. Ours (direct) against plain FFM calls, the"
                + " quotient of their ratios to C: %s.%n", ffm, ours);
    }

    /** The lifecycle and selector workloads, with what the lifecycle left open and what a round allocated. */
    private String pairsTable() throws IOException {
        Map<Variant, long[]> left = lifecycleDescriptorsLeft();
        List<Workload> workloads = workloads(2);
        StringBuilder s = new StringBuilder("| variant |");
        for (Workload w : workloads) {
            s.append(' ').append(title(w)).append(" (").append(w.unit).append(") |");
        }
        s.append(" descriptors left open per 1000 pair lifecycles | selector, allocation per selected key, each window (B) |\n|---|");
        s.append("---|".repeat(workloads.size() + 2)).append('\n');
        s.append("| C (baseline) |");
        for (Workload w : workloads) {
            s.append(String.format(Locale.ROOT, " %.3f |", cMedian(w)));
        }
        s.append(" 0 | - |\n");
        for (Variant v : Variant.values()) {
            if (workloads.stream().noneMatch(w -> w.variants.contains(v))) {
                continue;
            }
            s.append("| ").append(v.label).append(" |");
            for (Workload w : workloads) {
                s.append(figure(cells.get(w).get(v), 2));
            }
            long[] counts = left.get(v);
            s.append(counts == null || counts[0] == 0 ? " |"
                    : String.format(Locale.ROOT, " %.0f |", counts[1] * 1000.0 / counts[0]));
            List<Double> perKey = selectorAllocation.get(v);
            s.append(perKey == null ? " - |\n" : " " + windows(perKey, " / ") + " |\n");
        }
        s.append(String.format(Locale.ROOT, "%nA pair lifecycle: open a STREAM pair, 64 B from the first end to the"
                + " second and 64 B back (direct ByteBuffers), close both ends; the JDK's pair is connected and accepted"
                + " through a listening socket kept open for the run. A selector round: one byte written to %d of the"
                + " registered channels (a different set each round) through their peers, select(), the selected keys iterated and a"
                + " byte read from each, the set cleared; the registered channels are both ends of pairs, and C does the"
                + " same with epoll_wait(2) on pairs of its own. Each selector iteration opens the channels it times and"
                + " closes the others first, so that one set of channels is open at a time; a third run alternates ours"
                + " with the JDK's, in place of C, to compare the two side by side. Allocation per selected key"
                + " is counted on the selecting thread by the allocation probe, after a long warm-up, in %d consecutive"
                + " windows.", SelectorBenchmark.READY, AllocationProbe.SELECTOR_WINDOWS));
        for (Variant v : Workload.LIFECYCLE.variants) {
            Cell cell = cells.get(Workload.LIFECYCLE).get(v);
            if (cell != null && cell.pairsPerIteration > 0) {
                s.append(String.format(Locale.ROOT, " %s leaves descriptors open: in its lifecycle runs each iteration"
                                + " (C's too) is %,d pairs rather than a time, so that the %d iterations of the variant"
                                + " in a JVM stay inside the limit of %,d; such short iterations are noisier.", v.label,
                        cell.pairsPerIteration, settings.variantIterations(), limit));
            }
        }
        return s.append('\n').toString();
    }

    /** Per variant: pairs and descriptors left open, summed over the lifecycle trials. */
    private Map<Variant, long[]> lifecycleDescriptorsLeft() throws IOException {
        Map<Variant, long[]> left = new HashMap<>();
        if (!Files.exists(fdLog())) {
            return left;
        }
        for (String line : Files.readAllLines(fdLog())) {
            String[] f = line.split(" ");
            long[] counts = left.computeIfAbsent(Variant.valueOf(f[0]), k -> new long[2]);
            counts[0] += Long.parseLong(f[2]);
            counts[1] += Long.parseLong(f[3]);
        }
        return left;
    }

    private String memoryTable() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "Memory per open pair (bytes), from pairs opened"
                + " and kept open in a JVM of their own (Native Memory Tracking on, a fixed 256 MiB heap touched in"
                + " advance, so that the resident set grows with native memory only; the kernel's socket buffers are in"
                + " none of these), each figure the growth since before the first was opened, divided by the pairs:"
                + " idle after open; after 64 B each way with direct buffers; after 64 B more each way with heap buffers"
                + " (blocking mode). Native is what NMT counts as committed, in all and in its \"Other\" category, where"
                + " malloc'd Arena and direct-buffer memory lands.%n%n"));
        s.append("| variant | pairs (descriptor limit) | descriptors per open pair | left open per 1000 closed |");
        for (String state : MEMORY_STATES) {
            s.append(String.format(Locale.ROOT, " %s: RSS / native / Other / heap |", state));
        }
        s.append("\n|---|---|---|---|").append("---|".repeat(MEMORY_STATES.size())).append('\n');
        for (Map.Entry<Variant, Memory> e : memory.entrySet()) {
            Memory m = e.getValue();
            s.append(String.format(Locale.ROOT, "| %s | %,d (%,d) | %d | %.0f |", e.getKey().label, m.pairs, m.limit,
                    m.descriptorsPerPair, m.leftPer1000));
            for (String state : MEMORY_STATES) {
                long[] d = m.perPair.get(state);
                s.append(String.format(Locale.ROOT, " %d / %d / %d / %d |", d[0], d[1], d[2], d[3]));
            }
            s.append('\n');
        }
        return s.toString();
    }

    private List<Workload> workloads(int table) {
        return List.of(Workload.values()).stream().filter(w -> w.table == table).toList();
    }

    private double cMedian(Workload w) {
        return median(cells.get(w).values().stream().map(Cell::c).toList());
    }

    private static String figure(Cell cell, int decimals) {
        return cell == null ? " |" : String.format(Locale.ROOT, " %." + decimals + "f, %s |", cell.variant, cell.ratio.ratio());
    }

    /** What the harness allocates around a C iteration: the floor every variant's figure includes. */
    private String cAllocation(Workload w) {
        return String.format(Locale.ROOT, "%.0f", median(cells.get(w).values().stream().map(Cell::cAllocation).toList()));
    }

    private String allocation(Workload w, Variant v) {
        Cell cell = cells.get(w).get(v);
        return cell == null || Double.isNaN(cell.allocation) ? "-" : String.format(Locale.ROOT, "%.0f", cell.allocation);
    }

    /**
     * Checks the targets. Variants are compared with C by their ratios to it, not by their absolute
     * figures: each variant ran at another time, and the machine's speed drifts between runs. Two Java
     * variants are compared by a run that times them side by side in one JVM; the quotient of their
     * ratios to C, from separate JVMs, whose range is the widest the two allow, is shown beside it. A
     * target whose threshold lies within the spread of the figure is reported as such, neither met nor
     * missed.
     */
    private String targets(Startup startup) {
        Map<Variant, Cell> bulk = cells.get(Workload.BULK);
        Map<Variant, Cell> small = cells.get(Workload.SMALL);
        Map<Variant, Cell> ping = cells.get(Workload.PING_PONG);
        Map<Variant, Cell> vt = cells.get(Workload.VIRTUAL_PING_PONG);
        Map<Variant, Cell> selector = cells.get(Workload.SELECTOR);
        StringBuilder s = new StringBuilder("Targets (variants compared with C by their ratios to it, and with one"
                + " another side by side in one JVM; a threshold inside the spread of the ratios is \"within the"
                + " spread\"):\n");
        Spread bulkDirect = bulk.get(Variant.OURS_DIRECT).ratio;
        target(s, "bulk, ours (direct) >= 0.97x C", bulkDirect.check(0.97, false), bulkDirect.ratio());
        Spread overJdk = sideBySide(Workload.BULK_AGAINST_JDK);
        Spread overJunix = sideBySide(Workload.BULK_AGAINST_JUNIXSOCKET);
        target(s, "bulk, ours >= JDK UNIX SocketChannel and junixsocket (side by side in one JVM)",
                overJdk.check(1, false).and(overJunix.check(1, false)),
                "ours/JDK " + overJdk.ratio() + ", ours/junixsocket " + overJunix.ratio()
                        + "; as quotients of ratios to C, from separate JVMs, "
                        + bulkDirect.over(bulk.get(Variant.JDK_UNIX).ratio).ratio() + " and "
                        + bulkDirect.over(bulk.get(Variant.JUNIXSOCKET).ratio).ratio());
        Spread smallDirect = small.get(Variant.OURS_DIRECT).ratio;
        target(s, "small 64 B messages, ours (direct) >= 0.97x C", smallDirect.check(0.97, false), smallDirect.ratio());
        Spread heapOverDirect = sideBySide(Workload.BULK_HEAP_AGAINST_DIRECT);
        Spread jdkHeapOverDirect = bulk.get(Variant.JDK_UNIX_HEAP).ratio.over(bulk.get(Variant.JDK_UNIX).ratio);
        Spread heapOverJdkHeap = bulk.get(Variant.OURS_HEAP).ratio.over(bulk.get(Variant.JDK_UNIX_HEAP).ratio);
        target(s, "bulk, heap >= 0.92 of direct (side by side in one JVM)", heapOverDirect.check(0.92, false),
                heapOverDirect.ratio() + "; as the quotient of ratios to C, from separate JVMs, "
                        + bulk.get(Variant.OURS_HEAP).ratio.over(bulkDirect).ratio() + "; the JDK's heap/direct "
                        + jdkHeapOverDirect.ratio() + ", ours/JDK with heap buffers " + heapOverJdkHeap.ratio());
        Spread pingDirect = ping.get(Variant.OURS_DIRECT).ratio;
        target(s, "ping-pong median, ours (direct) <= 1.08x C", pingDirect.check(1.08, true), pingDirect.ratio());
        Spread pingOverJunix = sideBySide(Workload.PING_PONG_AGAINST_JUNIXSOCKET);
        Spread pingOverJdk = sideBySide(Workload.PING_PONG_AGAINST_JDK);
        target(s, "ping-pong median, ours below junixsocket and the JDK (side by side in one JVM)",
                below(pingOverJunix).and(below(pingOverJdk)),
                "ours/junixsocket " + pingOverJunix.ratio() + ", ours/JDK " + pingOverJdk.ratio()
                        + "; as quotients of ratios to C, from separate JVMs, "
                        + pingDirect.over(ping.get(Variant.JUNIXSOCKET).ratio).ratio() + " and "
                        + pingDirect.over(ping.get(Variant.JDK_UNIX).ratio).ratio());
        Spread vtOurs = vt.get(Variant.OURS_DIRECT).ratio;
        Spread vtOverJdk = vtOurs.over(vt.get(Variant.JDK_UNIX).ratio);
        target(s, "virtual-thread ping-pong, ours <= 1.15x C and below the JDK's",
                vtOurs.check(1.15, true).and(below(vtOverJdk)),
                vtOurs.ratio() + ", ours/JDK " + vtOverJdk.ratio());
        boolean zeroAllocation = true;
        for (Variant v : List.of(Variant.OURS_DIRECT, Variant.OURS_HEAP, Variant.OURS_SEGMENT)) {
            for (double bytes : allocation.get(v).values()) {
                zeroAllocation &= bytes < 0.01;
            }
        }
        target(s, "zero bytes allocated per op, ours (direct, heap, segment): under 0.01 B/op counted per thread"
                + " (nothing on the per-operation path)", zeroAllocation ? Spread.Verdict.MET : Spread.Verdict.MISSED, "");
        target(s, "first open + first write faster than junixsocket (whole process)", below(startup.ratio),
                "ours/junixsocket " + startup.ratio.ratio());
        Spread lifecycle = cells.get(Workload.LIFECYCLE).get(Variant.OURS_DIRECT).ratio;
        Spread lifecycleIdle = cells.get(Workload.LIFECYCLE_IDLE_THREADS).get(Variant.OURS_DIRECT).ratio;
        target(s, "pair lifecycle, ours <= 1.5x C with 0 and with " + IDLE_THREADS + " idle threads",
                lifecycle.check(1.5, true).and(lifecycleIdle.check(1.5, true)),
                "0: " + lifecycle.ratio() + ", " + IDLE_THREADS + ": " + lifecycleIdle.ratio());
        Memory ours = memory.get(Variant.OURS_DIRECT);
        long[] direct = ours.perPair.get("direct");
        long[] heap = ours.perPair.get("heap");
        boolean small4k = Math.max(direct[0], heap[0]) <= 4096 && Math.max(direct[1], heap[1]) <= 4096;
        target(s, "memory, ours <= 4 KiB per open pair after traffic (RSS and native)",
                small4k ? Spread.Verdict.MET : Spread.Verdict.MISSED,
                String.format(Locale.ROOT, "after direct traffic %d B RSS, %d B native; after heap traffic %d B RSS,"
                        + " %d B native (%,d pairs)", direct[0], direct[1], heap[0], heap[1], ours.pairs));
        Spread selectorOverJdk = selector.get(Variant.OURS_DIRECT).ratio.over(selector.get(Variant.JDK_UNIX).ratio);
        Spread selectorSideBySide = sideBySide(Workload.SELECTOR_AGAINST_JDK);
        target(s, String.format(Locale.ROOT, "selector at %,d channels, ours <= JDK (side by side in one JVM)",
                        selectorChannels), selectorSideBySide.check(1, true),
                "ours/JDK " + selectorSideBySide.ratio() + "; as the quotient of their ratios to C, from separate JVMs, "
                        + selectorOverJdk.ratio());
        target(s, "selector, no allocation per selected key: under 1 B per key in every window without a garbage"
                + " collection, counted on the selecting thread", selectorAllocationVerdict(),
                windows(selectorAllocation.get(Variant.OURS_DIRECT), ", ") + " B per key (JDK "
                        + windows(selectorAllocation.get(Variant.JDK_UNIX), ", ") + "); garbage collections in each window: "
                        + selectorCollections.get(Variant.OURS_DIRECT).stream().map(String::valueOf)
                        .collect(Collectors.joining(", "))
                        + collectedWindows()
                        + (selectorProfile == null ? "" : String.format(Locale.ROOT, "; allocation and JIT"
                        + " profile, a window at %.0f B per key or more: %s", AllocationProbe.SELECTOR_PROFILE_THRESHOLD, selectorProfile)));
        Spread batched = cells.get(Workload.BATCHED).get(Variant.OURS_DIRECT).ratio;
        Spread batchedC = cells.get(Workload.BATCHED).get(Variant.C_BATCHED).ratio;
        target(s, "batched 64 B messages, ours (direct) >= 2x C", batched.check(2, false), batched.ratio()
                + "; C itself with sendmmsg/recvmmsg " + batchedC.ratio() + ", ours/that " + batched.over(batchedC).ratio());
        return s.toString();
    }

    /**
     * Met if every selector window of ours in which no collection ran allocated under 1 B per key, and
     * there was such a window. A window in which one ran is judged apart ({@link #collectedWindows}): a
     * collection that marks the old generation empties what each channel keeps weakly for its last buffer,
     * which the channel makes again once, whatever the number of keys.
     */
    private Spread.Verdict selectorAllocationVerdict() {
        List<Double> perKey = selectorAllocation.get(Variant.OURS_DIRECT);
        List<Long> collections = selectorCollections.get(Variant.OURS_DIRECT);
        boolean any = false;
        for (int w = 0; w < perKey.size(); w++) {
            if (collections.get(w) == 0) {
                if (perKey.get(w) >= 1) {
                    return Spread.Verdict.MISSED;
                }
                any = true;
            }
        }
        return any ? Spread.Verdict.MET : Spread.Verdict.MISSED;
    }

    /** What each channel allocated in every selector window of ours in which a collection ran, if any. */
    private String collectedWindows() {
        List<Double> perKey = selectorAllocation.get(Variant.OURS_DIRECT);
        List<Long> collections = selectorCollections.get(Variant.OURS_DIRECT);
        double keysPerChannel = AllocationProbe.keysPerChannel(settings == SHORT ? "short" : "full", selectorChannels);
        StringBuilder s = new StringBuilder();
        for (int w = 0; w < perKey.size(); w++) {
            if (collections.get(w) > 0) {
                s.append(String.format(Locale.ROOT, "; window %d, in which %d collections ran: %.0f B per channel over its %.0f keys",
                        w + 1, collections.get(w), perKey.get(w) * keysPerChannel, keysPerChannel));
            }
        }
        return s.toString();
    }

    /** The values of a selector line of the allocation probe, one per window, after its variant and workload. */
    private static <T> List<T> windowValues(String[] fields, Function<String, T> parse) {
        List<T> values = new ArrayList<>();
        for (int i = 2; i < fields.length; i++) {
            values.add(parse.apply(fields[i]));
        }
        return values;
    }

    /** Bytes per key of the selector probe's windows, in order, joined by {@code separator}. */
    private static String windows(List<Double> perKey, String separator) {
        StringBuilder s = new StringBuilder();
        for (double bytes : perKey) {
            s.append(s.isEmpty() ? "" : separator).append(String.format(Locale.ROOT, "%.2f", bytes));
        }
        return s.toString();
    }

    /** Whether a quotient of two figures is below 1. */
    /** The ratios of a run that times two Java variants side by side: the first's figure over the other's. */
    private Spread sideBySide(Workload workload) {
        return cells.get(workload).get(workload.variants.getFirst()).ratio;
    }

    private static Spread.Verdict below(Spread quotient) {
        return quotient.check(1, true);
    }

    private static void target(StringBuilder s, String what, Spread.Verdict verdict, String figures) {
        s.append("- ").append(verdict.text).append(": ").append(what);
        if (!figures.isEmpty()) {
            s.append(" — ").append(figures);
        }
        s.append('\n');
    }

    private static String cpuModel() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown CPU";
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", command));
        }
    }
}

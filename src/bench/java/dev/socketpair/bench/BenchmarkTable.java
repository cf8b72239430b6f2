package dev.socketpair.bench;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Builds the C baseline, runs every workload for every variant with JMH (each fork pinned to one CPU
 * unless asked otherwise), pairs every variant iteration with the C iteration timed just before it in
 * the same process, and prints one table of figures and their ratios to C.
 *
 * <p>Arguments: {@code full|short}, {@code pinned|unpinned}, the C source, the output directory.
 */
public final class BenchmarkTable {

    /** How long to measure. */
    private record Settings(int forks, int warmups, TimeValue warmupTime, int measurements,
                            TimeValue measurementTime, int startupRuns) {
    }

    private static final Settings FULL = new Settings(2, 4, TimeValue.seconds(1), 4, TimeValue.seconds(1), 10);
    private static final Settings SHORT =
            new Settings(1, 2, TimeValue.milliseconds(300), 2, TimeValue.milliseconds(500), 4);

    /** A column of the table. */
    private enum Workload {
        BULK("bulk 64 KiB writes", "GiB/s", true, StreamThroughputBenchmark.class, Map.of("size", "65536"),
                List.of(Variant.values()), opsPerSecond -> opsPerSecond * 65536 / (1 << 30)),
        SMALL("small 64 B writes", "M msg/s", true, StreamThroughputBenchmark.class, Map.of("size", "64"),
                List.of(Variant.values()), opsPerSecond -> opsPerSecond / 1e6),
        PING_PONG("ping-pong median", "µs", false, PingPongBenchmark.class, Map.of(),
                List.of(Variant.values()), Function.identity()),
        VIRTUAL_PING_PONG("virtual-thread ping-pong", "µs", false, VirtualThreadPingPongBenchmark.class, Map.of(),
                List.of(Variant.OURS_DIRECT, Variant.JDK_UNIX), Function.identity()),
        SEQPACKET("SEQPACKET 1 KiB", "M msg/s", true, SeqpacketBenchmark.class, Map.of(),
                List.of(Variant.OURS_DIRECT, Variant.OURS_HEAP, Variant.OURS_SEGMENT, Variant.JUNIXSOCKET),
                opsPerSecond -> opsPerSecond / 1e6),
        BATCHED("batched 64 B DGRAM messages", "M msg/s", true, BatchedMessagesBenchmark.class, Map.of(),
                List.of(Variant.OURS_DIRECT, Variant.OURS_HEAP), opsPerSecond -> opsPerSecond / 1e6);

        final String title;
        final String unit;
        final boolean higherIsBetter;
        final Class<?> benchmark;
        final Map<String, String> params;
        final List<Variant> variants;
        final Function<Double, Double> scale;

        Workload(String title, String unit, boolean higherIsBetter, Class<?> benchmark, Map<String, String> params,
                 List<Variant> variants, Function<Double, Double> scale) {
            this.title = title;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
            this.benchmark = benchmark;
            this.params = params;
            this.variants = variants;
            this.scale = scale;
        }
    }

    /** What one run (workload x variant) measured, paired with its C baseline. */
    private record Cell(double c, double variant, double ratio, double p99, double p99Ratio, double allocation,
                        double cAllocation) {
    }

    private final Settings settings;
    private final Path launcher;
    private final Path library;
    private final Path outDir;
    private final Map<Workload, Map<Variant, Cell>> cells = new EnumMap<>(Workload.class);
    private final Map<Variant, Map<AllocationProbe.Workload, Double>> allocation = new EnumMap<>(Variant.class);

    private BenchmarkTable(Settings settings, Path launcher, Path library, Path outDir) {
        this.settings = settings;
        this.launcher = launcher;
        this.library = library;
        this.outDir = outDir;
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
        Path launcher = pinned ? pinnedLauncher(java, outDir) : java;

        long start = System.nanoTime();
        BenchmarkTable table = new BenchmarkTable(settings, launcher, library, outDir);
        for (Workload w : Workload.values()) {
            for (Variant v : w.variants) {
                table.measure(w, v);
            }
        }
        double[] startup = table.startup();
        table.countAllocation(args[0]);
        String report = table.report(pinned, args[0], startup, (System.nanoTime() - start) / 1e9);
        System.out.println();
        System.out.println(report);
        Files.writeString(outDir.resolve("results.md"), report);
    }

    /** A script that starts the JVM pinned to CPU 1, given to JMH as the JVM of every fork. */
    private static Path pinnedLauncher(Path java, Path outDir) throws IOException {
        Path script = outDir.resolve("java-pinned");
        Files.writeString(script, "#!/bin/sh\nexec taskset -c 1 '" + java + "' \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private void measure(Workload workload, Variant variant) throws Exception {
        long t0 = System.nanoTime();
        System.out.printf(Locale.ROOT, "%-26s %-24s ", workload.title, variant.label);
        System.out.flush();
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(workload.benchmark.getName()) + "\\.")
                .param("variant", variant.name())
                .forks(settings.forks)
                .warmupIterations(settings.warmups)
                .warmupTime(settings.warmupTime)
                .measurementIterations(settings.measurements)
                .measurementTime(settings.measurementTime)
                .jvm(launcher.toString())
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-D" + CBaseline.LIBRARY_PROPERTY + "=" + library)
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL)
                .output(outDir.resolve("jmh-" + workload.name().toLowerCase(Locale.ROOT) + "-"
                        + variant.name().toLowerCase(Locale.ROOT) + ".log").toString());
        workload.params.forEach(options::param);
        RunResult result = new Runner(options.build()).runSingle();
        Cell cell = cell(workload, result);
        cells.computeIfAbsent(workload, k -> new EnumMap<>(Variant.class)).put(variant, cell);
        System.out.printf(Locale.ROOT, "%10.3f %-8s %6.2fx C   (%.0f s)%n", cell.variant, workload.unit, cell.ratio,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Pairs each variant iteration with the C iteration before it, fork by fork, and takes medians. */
    private Cell cell(Workload workload, RunResult result) {
        List<Double> c = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> p99Ratios = new ArrayList<>();
        List<Double> allocation = new ArrayList<>();
        List<Double> cAllocation = new ArrayList<>();
        for (BenchmarkResult fork : result.getBenchmarkResults()) {
            List<IterationResult> iterations = new ArrayList<>(fork.getIterationResults());
            for (int i = 0; i + 1 < iterations.size(); i += 2) {
                if (!Alternation.isBaseline(settings.warmups, i)) {
                    throw new IllegalStateException("iterations out of step");
                }
                double cScore = workload.scale.apply(central(workload, iterations.get(i)));
                double vScore = workload.scale.apply(central(workload, iterations.get(i + 1)));
                c.add(cScore);
                v.add(vScore);
                ratios.add(vScore / cScore);
                if (workload == Workload.PING_PONG) {
                    double cTail = percentile(iterations.get(i), 99);
                    double vTail = percentile(iterations.get(i + 1), 99);
                    p99.add(vTail);
                    p99Ratios.add(vTail / cTail);
                }
                Result alloc = iterations.get(i + 1).getSecondaryResults().get("gc.alloc.rate.norm");
                Result cAlloc = iterations.get(i).getSecondaryResults().get("gc.alloc.rate.norm");
                if (alloc != null && cAlloc != null) {
                    allocation.add(alloc.getScore());
                    cAllocation.add(cAlloc.getScore());
                }
            }
        }
        return new Cell(median(c), median(v), median(ratios), median(p99), median(p99Ratios), median(allocation),
                median(cAllocation));
    }

    /** The iteration's score; for sampled round trips, the median sample. */
    private static double central(Workload workload, IterationResult iteration) {
        return workload == Workload.PING_PONG ? percentile(iteration, 50) : iteration.getPrimaryResult().getScore();
    }

    private static double percentile(IterationResult iteration, double p) {
        return iteration.getPrimaryResult().getStatistics().getPercentile(p);
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Whole processes from launch to their first open pair, ours and junixsocket's alternately.
     *
     * @return median milliseconds: ours, junixsocket
     */
    private double[] startup() throws Exception {
        System.out.printf(Locale.ROOT, "%-26s ", "first pair open (process)");
        List<Double> ours = new ArrayList<>();
        List<Double> junixsocket = new ArrayList<>();
        for (int i = 0; i < settings.startupRuns; i++) {
            ours.add(startupMillis("ours"));
            junixsocket.add(startupMillis("junixsocket"));
        }
        double[] medians = {median(ours), median(junixsocket)};
        System.out.printf(Locale.ROOT, "ours %.0f ms, junixsocket %.0f ms%n", medians[0], medians[1]);
        return medians;
    }

    /** Runs the {@link AllocationProbe} in a JVM of its own and keeps its counts. */
    private void countAllocation(String mode) throws Exception {
        System.out.printf(Locale.ROOT, "%-26s ", "allocation (per thread)");
        System.out.flush();
        List<String> command = List.of(launcher.toString(), "--enable-native-access=ALL-UNNAMED",
                "-D" + CBaseline.LIBRARY_PROPERTY + "=" + library,
                "-cp", System.getProperty("java.class.path"), AllocationProbe.class.getName(), mode);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                String[] fields = line.split(" ");
                if (fields.length != 3) {
                    throw new IllegalStateException("allocation probe printed: " + line);
                }
                allocation.computeIfAbsent(Variant.valueOf(fields[0]), k -> new EnumMap<>(AllocationProbe.Workload.class))
                        .put(AllocationProbe.Workload.valueOf(fields[1]), Double.parseDouble(fields[2]));
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("allocation probe failed");
        }
        System.out.println("done");
    }

    private double startupMillis(String which) throws Exception {
        List<String> command = List.of(launcher.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StartupProbe.class.getName(), which);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            long t1 = System.nanoTime();
            if (line == null || !line.startsWith("opened")) {
                throw new IllegalStateException(which + " startup probe printed: " + line);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return (t1 - t0) / 1e6;
        }
    }

    private String report(boolean pinned, String mode, double[] startup, double seconds) throws Exception {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "Measured %s on %s (%d CPUs, %s %s), Java %s, %s mode, %s, in %.0f s.%n%n",
                LocalDate.now(), cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.version(), mode,
                pinned ? "each benchmark JVM pinned to CPU 1 (taskset -c 1)" : "unpinned", seconds));
        s.append("| variant |");
        for (Workload w : Workload.values()) {
            s.append(' ').append(w.title).append(" (").append(w.unit).append(") |");
            if (w == Workload.PING_PONG) {
                s.append(" ping-pong p99 (µs) |");
            }
        }
        s.append(" allocation per op, bulk / small / ping-pong (B) |\n|---|");
        s.append("---|".repeat(Workload.values().length + 2)).append('\n');

        s.append("| C (baseline) |");
        for (Workload w : Workload.values()) {
            s.append(String.format(Locale.ROOT, " %.3f |", median(cells.get(w).values().stream().map(Cell::c).toList())));
            if (w == Workload.PING_PONG) {
                s.append(" |");
            }
        }
        s.append(String.format(Locale.ROOT, " %s / %s / %s |%n", cAllocation(Workload.BULK),
                cAllocation(Workload.SMALL), cAllocation(Workload.PING_PONG)));
        for (Variant v : Variant.values()) {
            s.append("| ").append(v.label).append(" |");
            for (Workload w : Workload.values()) {
                Cell cell = cells.get(w).get(v);
                s.append(cell == null ? " |" : String.format(Locale.ROOT, " %.3f (%.2fx) |", cell.variant, cell.ratio));
                if (w == Workload.PING_PONG) {
                    s.append(cell == null ? " |" : String.format(Locale.ROOT, " %.1f (%.2fx) |", cell.p99, cell.p99Ratio));
                }
            }
            s.append(String.format(Locale.ROOT, " %s / %s / %s |%n", allocation(Workload.BULK, v),
                    allocation(Workload.SMALL, v), allocation(Workload.PING_PONG, v)));
        }
        s.append(String.format(Locale.ROOT, "%nFirst pair open, whole process from launch: ours %.0f ms, junixsocket %.0f ms (%.2fx).%n",
                startup[0], startup[1], startup[0] / startup[1]));
        s.append("\nRatios are to the C baseline timed alternately in the same JVM, medians over iteration pairs"
                + " and forks; for times (µs) lower is better, for rates higher. Allocation counts every thread"
                + " of the benchmark JVM, the reading or echoing peer included; the C row is what JMH and the"
                + " harness allocate around the C baseline, the floor of every figure.\n\n");
        s.append("Allocation per operation counted exactly, on the two threads that use the connection (the JVM's"
                + " per-thread counters, after a long warm-up; bytes):\n\n| variant | bulk | small | ping-pong |\n"
                + "|---|---|---|---|\n");
        for (Variant v : AllocationProbe.VARIANTS) {
            Map<AllocationProbe.Workload, Double> counts = allocation.get(v);
            s.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", v.label,
                    counts.get(AllocationProbe.Workload.BULK), counts.get(AllocationProbe.Workload.SMALL),
                    counts.get(AllocationProbe.Workload.PING_PONG)));
        }
        s.append('\n');
        s.append(targets(startup));
        return s.toString();
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
     * Checks the targets. Variants are compared by their ratios to C, not by their absolute figures:
     * each variant ran at another time, and the machine's speed drifts between runs.
     */
    private String targets(double[] startup) {
        Map<Variant, Cell> bulk = cells.get(Workload.BULK);
        Map<Variant, Cell> small = cells.get(Workload.SMALL);
        Map<Variant, Cell> ping = cells.get(Workload.PING_PONG);
        Map<Variant, Cell> vt = cells.get(Workload.VIRTUAL_PING_PONG);
        StringBuilder s = new StringBuilder("Targets (variants compared by their ratios to C):\n");
        target(s, "bulk, ours (direct) >= 0.95x C", bulk.get(Variant.OURS_DIRECT).ratio >= 0.95);
        target(s, "bulk, ours >= JDK UNIX SocketChannel and junixsocket",
                bulk.get(Variant.OURS_DIRECT).ratio >= bulk.get(Variant.JDK_UNIX).ratio
                        && bulk.get(Variant.OURS_DIRECT).ratio >= bulk.get(Variant.JUNIXSOCKET).ratio);
        target(s, "small messages, ours (direct) >= 0.95x C", small.get(Variant.OURS_DIRECT).ratio >= 0.95);
        target(s, "ping-pong median, ours (direct) <= 1.10x C", ping.get(Variant.OURS_DIRECT).ratio <= 1.10);
        target(s, "ping-pong median, ours below junixsocket and the JDK",
                ping.get(Variant.OURS_DIRECT).ratio < ping.get(Variant.JUNIXSOCKET).ratio
                        && ping.get(Variant.OURS_DIRECT).ratio < ping.get(Variant.JDK_UNIX).ratio);
        boolean zeroAllocation = true;
        for (Variant v : List.of(Variant.OURS_DIRECT, Variant.OURS_HEAP, Variant.OURS_SEGMENT)) {
            for (double bytes : allocation.get(v).values()) {
                zeroAllocation &= bytes < 0.01;
            }
        }
        target(s, "zero bytes allocated per op, ours (direct, heap, segment): under 0.01 B/op counted per thread"
                + " (nothing on the per-operation path)", zeroAllocation);
        target(s, "bulk, heap >= 0.90x direct",
                bulk.get(Variant.OURS_HEAP).ratio >= 0.90 * bulk.get(Variant.OURS_DIRECT).ratio);
        target(s, "virtual-thread ping-pong, ours <= JDK SocketChannel",
                vt.get(Variant.OURS_DIRECT).ratio <= vt.get(Variant.JDK_UNIX).ratio);
        target(s, "first pair open faster than junixsocket", startup[0] < startup[1]);
        target(s, "batched 64 B messages >= 2x C", cells.get(Workload.BATCHED).get(Variant.OURS_DIRECT).ratio >= 2);
        return s.toString();
    }

    private static void target(StringBuilder s, String what, boolean met) {
        s.append("- ").append(met ? "met: " : "MISSED: ").append(what).append('\n');
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

package dev.socketpair.bench;

import javax.management.JMException;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an open pair costs in memory: opens many pairs of one variant and measures the process before
 * and after, in three states: idle after open; after one 64-byte message each way with direct
 * buffers; after one more each way with heap buffers, in blocking mode. Each state is measured after
 * {@code System.gc()} and a settle, as the resident set (smaps_rollup), the memory Native Memory
 * Tracking counts as committed (in total, and in its "Other" category, where the malloc of
 * {@code Arena} and direct-buffer memory lands), and the Java heap in use. The JVM must run with
 * {@code -XX:NativeMemoryTracking=summary}; {@link BenchmarkTable} gives it a fixed, pre-touched heap,
 * so that the resident set grows with native memory only, and a raised descriptor limit.
 *
 * <p>Arguments: the {@link Variant}, the number of pairs wanted. As many pairs are opened as the
 * descriptor limit holds, up to that number, counting the descriptors a pair of the variant holds.
 * Prints lines of space-separated fields: {@code pairs N LIMIT HELD_PER_PAIR}, then one line per
 * state ({@code state NAME RSS_KB NMT_TOTAL_KB NMT_OTHER_KB HEAP_BYTES}, {@code before} first), then
 * {@code left DESCRIPTORS_LEFT_OPEN PAIRS_CLOSED} after every pair was closed.
 */
public final class MemoryProbe {

    private static final int CALIBRATION = 100;
    /** Descriptors kept free for the JVM. */
    private static final int RESERVE = 256;
    private static final Pattern TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern OTHER = Pattern.compile("-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        Variant variant = Variant.valueOf(args[0]);
        int wanted = Integer.parseInt(args[1]);
        ByteBuffer directOut = fill(ByteBuffer.allocateDirect(64));
        ByteBuffer directIn = ByteBuffer.allocateDirect(64);
        ByteBuffer heapOut = fill(ByteBuffer.allocate(64));
        ByteBuffer heapIn = ByteBuffer.allocate(64);
        try (PairSource source = PairSource.of(variant)) {
            // A first round, so that classes, JIT, the caches of the first use and the measuring itself are
            // not counted, and to learn how many descriptors a pair holds.
            List<PairSource.Ends> pairs = open(source, 1);
            traffic(pairs, directOut, directIn, heapOut, heapIn);
            close(pairs);
            residentKiB();
            nativeMemorySummary();
            int open0 = Descriptors.open();
            pairs = open(source, CALIBRATION);
            int held = Descriptors.open() - open0;
            traffic(pairs, directOut, directIn, heapOut, heapIn);
            close(pairs);
            int heldPerPair = Math.max(2, (held + CALIBRATION - 1) / CALIBRATION);
            int limit = Descriptors.softLimit();
            int n = Math.min(wanted, (limit - Descriptors.open() - RESERVE) / heldPerPair);
            System.out.printf(Locale.ROOT, "pairs %d %d %d%n", n, limit, heldPerPair);

            state("before");
            int openBefore = Descriptors.open();
            pairs = open(source, n);
            state("idle");
            traffic(pairs, directOut, directIn, null, null);
            state("direct");
            traffic(pairs, null, null, heapOut, heapIn);
            state("heap");
            close(pairs);
            System.gc();
            System.out.printf(Locale.ROOT, "left %d %d%n", Descriptors.open() - openBefore, n);
        }
    }

    private static ByteBuffer fill(ByteBuffer buffer) {
        while (buffer.hasRemaining()) {
            buffer.put((byte) 7);
        }
        return buffer;
    }

    private static List<PairSource.Ends> open(PairSource source, int n) throws IOException {
        List<PairSource.Ends> pairs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pairs.add(source.open());
        }
        return pairs;
    }

    private static void traffic(List<PairSource.Ends> pairs, ByteBuffer directOut, ByteBuffer directIn,
                                ByteBuffer heapOut, ByteBuffer heapIn) throws IOException {
        for (PairSource.Ends ends : pairs) {
            if (directOut != null) {
                ends.exchange(directOut, directIn);
            }
            if (heapOut != null) {
                ends.exchange(heapOut, heapIn);
            }
        }
    }

    private static void close(List<PairSource.Ends> pairs) throws IOException {
        for (PairSource.Ends ends : pairs) {
            ends.close();
        }
    }

    private static void state(String name) throws Exception {
        // Twice, with a pause for the cleaners and reference handlers the first one wakes.
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(250);
        }
        // The heap first: the other two allocate.
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long resident = residentKiB();
        String nmt = nativeMemorySummary();
        System.out.printf(Locale.ROOT, "state %s %d %d %d %d%n", name, resident, kib(TOTAL, nmt), kib(OTHER, nmt), heap);
    }

    private static long residentKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("Rss:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no Rss in /proc/self/smaps_rollup");
    }

    /** {@code jcmd <pid> VM.native_memory summary}, from inside. */
    private static String nativeMemorySummary() throws JMException {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                new Object[] {new String[] {"summary", "scale=KB"}}, new String[] {String[].class.getName()});
    }

    private static long kib(Pattern pattern, String summary) {
        Matcher m = pattern.matcher(summary);
        if (!m.find()) {
            throw new IllegalStateException("native memory summary without " + pattern + ":\n" + summary);
        }
        return Long.parseLong(m.group(1));
    }
}

package dev.socketpair.bench;

import dev.socketpair.SocketType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import jdk.jfr.Recording;

/**
 * Counts the bytes our channels allocate per operation in steady state, exactly: the heap allocated by
 * the two threads that use the connection (the near end and its draining or echoing peer), as the JVM
 * counts it per thread, over many operations after a long warm-up. JMH's GC profiler counts every thread
 * of the JVM instead, its own included, which leaves a floor of a byte or two per operation that no
 * variant can go under. The JDK's channel and junixsocket are counted the same way, which shows what
 * the count sees when something does allocate. Then the selector workload ({@link SelectorRounds}): the
 * bytes the selecting thread allocates per selected key, ours against the JDK's selector, in
 * {@value #SELECTOR_WINDOWS} consecutive windows. Run in a JVM of its own by {@link BenchmarkTable}, with
 * the argument {@code full} or {@code short} (a fifth of the operations), the number of selector
 * channels and a directory for allocation profiles; prints one line per measurement: variant, workload,
 * bytes; or variant, {@code SELECTOR}, bytes per selected key in each window; or variant,
 * {@value #SELECTOR_PROFILE}, the file that holds the allocation profile of the first of our windows
 * that allocated {@value #SELECTOR_PROFILE_THRESHOLD} B or more per key.
 */
public final class AllocationProbe {

    /** A workload as the JMH benchmarks run it. */
    enum Workload {
        BULK(65536, 64 * 1024, false, 200_000, 200_000),
        SMALL(64, 64 * 1024, false, 3_000_000, 1_000_000),
        PING_PONG(1, 1, true, 1_000_000, 300_000);

        final int messageSize;
        final int readSize;
        final boolean echo;
        final int warmup;
        final int measured;

        Workload(int messageSize, int readSize, boolean echo, int warmup, int measured) {
            this.messageSize = messageSize;
            this.readSize = readSize;
            this.echo = echo;
            this.warmup = warmup;
            this.measured = measured;
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationProbe() {
    }

    /** The variants counted. */
    static final List<Variant> VARIANTS =
            List.of(Variant.OURS_DIRECT, Variant.OURS_HEAP, Variant.OURS_SEGMENT, Variant.JDK_UNIX, Variant.JUNIXSOCKET);

    /** The selector variants counted. */
    static final List<Variant> SELECTOR_VARIANTS = List.of(Variant.OURS_DIRECT, Variant.JDK_UNIX);

    /** What a selector line names as its workload. */
    static final String SELECTOR = "SELECTOR";

    /** What a line naming the allocation profile of a selector window names as its workload. */
    static final String SELECTOR_PROFILE = "SELECTOR_PROFILE";

    private static final int SELECTOR_WARMUP_ROUNDS = 20_000;
    private static final int SELECTOR_ROUNDS = 10_000;
    /**
     * Selector windows counted one after another: one window of a run once counted 46 B per key where
     * every other run counted 0.32, so each window is reported, and ours are recorded with JFR's
     * allocation sampling, kept for a window that allocates {@value #SELECTOR_PROFILE_THRESHOLD} B or more
     * per key, to show what it allocated.
     */
    static final int SELECTOR_WINDOWS = 3;
    static final double SELECTOR_PROFILE_THRESHOLD = 1;

    public static void main(String[] args) throws Exception {
        int divisor = args[0].equals("short") ? 5 : 1;
        int selectorChannels = Integer.parseInt(args[1]);
        Path profiles = Path.of(args[2]);
        for (Variant variant : VARIANTS) {
            for (Workload workload : Workload.values()) {
                System.out.printf(Locale.ROOT, "%s %s %.4f%n", variant, workload,
                        bytesPerOperation(variant, workload, divisor));
            }
        }
        for (Variant variant : SELECTOR_VARIANTS) {
            countSelector(variant, selectorChannels, divisor, profiles);
        }
    }

    /**
     * Prints the bytes per selected key of {@code variant}'s selector in each window, after a warm-up,
     * and, for ours, the file of the first window's allocation profile at or over the threshold, if any.
     */
    private static void countSelector(Variant variant, int channels, int divisor, Path profiles) throws IOException {
        StringBuilder line = new StringBuilder(variant + " " + SELECTOR);
        Path profile = null;
        try (SelectorRounds rounds = SelectorRounds.open(variant, channels)) {
            settle();
            for (int i = 0; i < SELECTOR_WARMUP_ROUNDS / divisor; i++) {
                rounds.round(SelectorBenchmark.READY);
            }
            for (int w = 0; w < SELECTOR_WINDOWS; w++) {
                Path file = profile == null && variant == Variant.OURS_DIRECT
                        ? profiles.resolve("selector-allocation-window-" + (w + 1) + ".jfr") : null;
                double perKey = bytesPerSelectedKey(rounds, SELECTOR_ROUNDS / divisor, file);
                line.append(String.format(Locale.ROOT, " %.4f", perKey));
                if (file != null && perKey >= SELECTOR_PROFILE_THRESHOLD) {
                    profile = file;
                }
            }
        }
        System.out.println(line);
        if (profile != null) {
            System.out.println(variant + " " + SELECTOR_PROFILE + " " + profile);
        }
    }

    /**
     * The bytes the current thread allocates per selected key over {@code measured} rounds; recorded
     * with JFR's allocation sampling if {@code profile} is not null, and the recording written there if
     * the window allocated {@value #SELECTOR_PROFILE_THRESHOLD} B or more per key. The recording starts
     * before the count and stops after it: what it allocates on this thread is outside the count.
     */
    private static double bytesPerSelectedKey(SelectorRounds rounds, int measured, Path profile) throws IOException {
        try (Recording recording = profile == null ? null : new Recording()) {
            if (recording != null) {
                recording.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "10000/s");
                recording.start();
            }
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long keys = 0;
            for (int i = 0; i < measured; i++) {
                keys += rounds.round(SelectorBenchmark.READY);
            }
            double perKey = (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) keys;
            if (recording != null) {
                recording.stop();
                if (perKey >= SELECTOR_PROFILE_THRESHOLD) {
                    recording.dump(profile);
                }
            }
            return perKey;
        }
    }

    private static double bytesPerOperation(Variant variant, Workload workload, int divisor) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Variant.Connection connection = variant.open(SocketType.STREAM, workload.messageSize, workload.readSize, arena);
            Thread peer = workload.echo ? Peers.echo(connection.second(), false) : Peers.drain(connection.second(), false);
            Thread near = Thread.currentThread();
            try {
                settle();
                run(connection.first(), workload, workload.warmup / divisor);
                long before = THREADS.getThreadAllocatedBytes(near.threadId())
                        + THREADS.getThreadAllocatedBytes(peer.threadId());
                int measured = workload.measured / divisor;
                run(connection.first(), workload, measured);
                long after = THREADS.getThreadAllocatedBytes(near.threadId())
                        + THREADS.getThreadAllocatedBytes(peer.threadId());
                return (after - before) / (double) measured;
            } finally {
                connection.close();
                peer.join();
            }
        }
    }

    /**
     * Collects before a warm-up, so that what the workloads before left in the young generation does not
     * set off a collection in the middle of the count. A collection empties what a channel keeps weakly
     * for the buffer it saw last (see {@code WeakSlot}), which the next call makes again: in the warm-up,
     * where the JIT sees it happen, not in the count.
     */
    private static void settle() {
        System.gc();
    }

    private static void run(End end, Workload workload, int operations) throws Exception {
        for (int i = 0; i < operations; i++) {
            end.writeMessage();
            if (workload.echo) {
                end.readMessage();
            }
        }
    }
}

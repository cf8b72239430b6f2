package dev.socketpair.bench;

import dev.socketpair.SocketType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
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
 * {@value #SELECTOR_COLLECTIONS}, the garbage collections during each window; or variant,
 * {@value #SELECTOR_PROFILE}, the file of the recording of our selector workload, kept if one of its
 * windows allocated {@value #SELECTOR_PROFILE_THRESHOLD} B or more per key.
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

    /** What a line counting the garbage collections in each selector window names as its workload. */
    static final String SELECTOR_COLLECTIONS = "SELECTOR_COLLECTIONS";

    /** What a line naming the recording of our selector workload names as its workload. */
    static final String SELECTOR_PROFILE = "SELECTOR_PROFILE";

    private static final int SELECTOR_WARMUP_ROUNDS = 20_000;
    private static final int SELECTOR_ROUNDS = 10_000;
    /**
     * Selector windows counted one after another, each reported with the collections that ran in it. Runs
     * once counted 40 to 46 B per key where others counted 0.32: the JDK's slice of a downcall's capture
     * segment, left allocating by a compiled write path that had run out of inlining budget before it
     * (see {@code SocketIo}); and a window in which a collection marks the old generation counts what
     * each channel then makes again, once. Ours are recorded with JFR (see {@link #selectorRecording}),
     * the recording kept if a window allocates {@value #SELECTOR_PROFILE_THRESHOLD} B or more per key.
     */
    static final int SELECTOR_WINDOWS = 3;
    static final double SELECTOR_PROFILE_THRESHOLD = 1;

    /** {@return the keys each of {@code channels} channels is selected for in a window of {@code mode}} */
    static double keysPerChannel(String mode, int channels) {
        return (double) SELECTOR_ROUNDS / divisor(mode) * SelectorBenchmark.READY / channels;
    }

    private static int divisor(String mode) {
        return mode.equals("short") ? 5 : 1;
    }

    public static void main(String[] args) throws Exception {
        int divisor = divisor(args[0]);
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
     * and, for ours, the file of the profile recorded if a window counted
     * {@value #SELECTOR_PROFILE_THRESHOLD} B or more per key.
     */
    private static void countSelector(Variant variant, int channels, int divisor, Path profiles) throws IOException {
        StringBuilder line = new StringBuilder(variant + " " + SELECTOR);
        StringBuilder collected = new StringBuilder(variant + " " + SELECTOR_COLLECTIONS);
        Path profile = null;
        try (SelectorRounds rounds = SelectorRounds.open(variant, channels);
             Recording recording = variant == Variant.OURS_DIRECT ? selectorRecording() : null) {
            settle();
            for (int i = 0; i < SELECTOR_WARMUP_ROUNDS / divisor; i++) {
                rounds.round(SelectorBenchmark.READY);
            }
            boolean over = false;
            for (int w = 0; w < SELECTOR_WINDOWS; w++) {
                long before = collections();
                double perKey = bytesPerSelectedKey(rounds, SELECTOR_ROUNDS / divisor);
                line.append(String.format(Locale.ROOT, " %.4f", perKey));
                collected.append(' ').append(collections() - before);
                over |= perKey >= SELECTOR_PROFILE_THRESHOLD;
            }
            if (recording != null && over) {
                recording.stop();
                profile = profiles.resolve("selector-allocation.jfr");
                recording.dump(profile);
            }
        }
        System.out.println(line);
        System.out.println(collected);
        if (profile != null) {
            System.out.println(variant + " " + SELECTOR_PROFILE + " " + profile);
        }
    }

    /**
     * A recording, started, of what the selector workload allocates (JFR's allocation sampling, with
     * stacks) and of what the JIT does meanwhile: every compilation and deoptimisation, since a window
     * that allocates is most likely one in which a compiled path lost its escape analysis. Started
     * before the warm-up, so that what starting it does to compiled code is over before any count.
     */
    private static Recording selectorRecording() {
        Recording recording = new Recording();
        recording.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "10000/s");
        recording.enable("jdk.Compilation").withThreshold(Duration.ZERO);
        recording.enable("jdk.CompilationFailure");
        recording.enable("jdk.Deoptimization").withStackTrace();
        recording.enable("jdk.GarbageCollection");
        recording.start();
        return recording;
    }

    /**
     * {@return the garbage collections of every collector of this JVM so far} A collection that marks the
     * old generation empties what channels keep weakly for the buffer they saw last (see
     * {@code NativeScratch}), which each channel then makes again, once: a window with one allocates that,
     * whatever the number of keys it selects.
     */
    private static long collections() {
        long count = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, collector.getCollectionCount());
        }
        return count;
    }

    /** The bytes the current thread allocates per selected key over {@code measured} rounds. */
    private static double bytesPerSelectedKey(SelectorRounds rounds, int measured) throws IOException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long keys = 0;
        for (int i = 0; i < measured; i++) {
            keys += rounds.round(SelectorBenchmark.READY);
        }
        return (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) keys;
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
     * for the buffer it saw last (see {@code NativeScratch}), which the next call makes again: in the warm-up,
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

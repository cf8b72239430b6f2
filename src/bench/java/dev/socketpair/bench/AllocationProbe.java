package dev.socketpair.bench;

import dev.socketpair.SocketType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Counts the bytes our channels allocate per operation in steady state, exactly: the heap allocated by
 * the two threads that use the connection (the near end and its draining or echoing peer), as the JVM
 * counts it per thread, over many operations after a long warm-up. JMH's GC profiler counts every thread
 * of the JVM instead, its own included, which leaves a floor of a byte or two per operation that no
 * variant can go under. The JDK's channel and junixsocket are counted the same way, which shows what
 * the count sees when something does allocate. Then the selector workload ({@link SelectorRounds}): the
 * bytes the selecting thread allocates per selected key, ours against the JDK's selector. Run in a JVM of
 * its own by {@link BenchmarkTable}, with the argument {@code full} or {@code short} (a fifth of the
 * operations) and the number of selector channels; prints one line per measurement: variant, workload
 * (or {@code SELECTOR} for bytes per selected key), bytes.
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

    private static final int SELECTOR_WARMUP_ROUNDS = 20_000;
    private static final int SELECTOR_ROUNDS = 10_000;

    public static void main(String[] args) throws Exception {
        int divisor = args[0].equals("short") ? 5 : 1;
        int selectorChannels = Integer.parseInt(args[1]);
        for (Variant variant : VARIANTS) {
            for (Workload workload : Workload.values()) {
                System.out.printf(Locale.ROOT, "%s %s %.4f%n", variant, workload,
                        bytesPerOperation(variant, workload, divisor));
            }
        }
        for (Variant variant : SELECTOR_VARIANTS) {
            System.out.printf(Locale.ROOT, "%s %s %.4f%n", variant, SELECTOR,
                    bytesPerSelectedKey(variant, selectorChannels, divisor));
        }
    }

    private static double bytesPerSelectedKey(Variant variant, int channels, int divisor) throws IOException {
        try (SelectorRounds rounds = SelectorRounds.open(variant, channels)) {
            settle();
            for (int i = 0; i < SELECTOR_WARMUP_ROUNDS / divisor; i++) {
                rounds.round(SelectorBenchmark.READY);
            }
            int measured = SELECTOR_ROUNDS / divisor;
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long keys = 0;
            for (int i = 0; i < measured; i++) {
                keys += rounds.round(SelectorBenchmark.READY);
            }
            return (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) keys;
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

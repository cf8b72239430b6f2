package dev.socketpair;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

/**
 * Counts the heap a select loop allocates per round in steady state, with few keys ready and with many,
 * by the JVM's exact counter of the selecting thread's allocation. Used by {@link SelectorAllocationTest}
 * in its own JVM, and run by it in a child JVM with other compiler options: the arguments are a
 * {@link Backend}'s name, and it prints one line per form of select, {@code set|action few many}.
 */
public final class SelectorAllocationProbe {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Registered channels, their descriptor numbers far above those the JDK's Integer cache holds. */
    static final int PAIRS = 1_000;
    static final int FEW_READY = 10;
    static final int MANY_READY = 100;
    private static final int WARM_UP_ROUNDS = 10_000;
    private static final int MEASURED_ROUNDS = 2_000;
    /** Measurements of each count of ready keys, the smallest of which counts: a compilation can intrude. */
    private static final int MEASUREMENTS = 3;

    private SelectorAllocationProbe() {
    }

    public static void main(String[] args) throws Exception {
        Backend backend = Backend.valueOf(args[0]);
        for (boolean action : new boolean[] {false, true}) {
            double[] bytes = bytesPerRound(backend, action);
            System.out.printf(Locale.ROOT, "%s %.2f %.2f%n", action ? "action" : "set", bytes[0], bytes[1]);
        }
    }

    /** Whether this JVM counts each thread's allocation. */
    static boolean supported() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }

    /**
     * Runs select rounds on a selector of {@code backend} with {@link #PAIRS} channels registered,
     * handling the keys selected from the selected-key set or in an {@code action}.
     *
     * @return the bytes allocated per round with {@link #FEW_READY} keys ready, and with {@link #MANY_READY}
     */
    static double[] bytesPerRound(Backend backend, boolean action) throws Exception {
        List<SocketPair> pairs = new ArrayList<>();
        try (Selector selector = backend.openSelector()) {
            for (int i = 0; i < PAIRS; i++) {
                pairs.add(SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC));
                pairs.get(i).second().register(selector, OP_READ);
            }
            // The data stays unread, so the same keys are ready at every round: FEW_READY of them, or
            // MANY_READY once the others' interest is back.
            List<SelectionKey> others = new ArrayList<>();
            for (int i = 0; i < MANY_READY; i++) {
                SocketPair pair = pairs.get(i * (PAIRS / MANY_READY));
                if (pair.first().write(ByteBuffer.wrap(new byte[] {1})) != 1) {
                    throw new AssertionError("a byte not written to an empty socket");
                }
                if (i % (MANY_READY / FEW_READY) != 0) {
                    others.add(pair.second().keyFor(selector));
                }
            }
            Round round = new Round(selector, action);
            setInterest(others, 0);
            round.repeat(WARM_UP_ROUNDS, FEW_READY);
            setInterest(others, OP_READ);
            round.repeat(WARM_UP_ROUNDS, MANY_READY);

            double few = Double.MAX_VALUE;
            double many = Double.MAX_VALUE;
            for (int m = 0; m < MEASUREMENTS; m++) {
                setInterest(others, 0);
                round.run();
                few = Math.min(few, round.bytesPerRound(FEW_READY));
                setInterest(others, OP_READ);
                round.run();
                many = Math.min(many, round.bytesPerRound(MANY_READY));
            }
            return new double[] {few, many};
        } finally {
            for (SocketPair pair : pairs) {
                pair.close();
            }
        }
    }

    private static void setInterest(List<SelectionKey> keys, int ops) {
        for (SelectionKey key : keys) {
            key.interestOps(ops);
        }
    }

    /** One selection operation and the handling of what it selected, as a select loop does it. */
    private static final class Round {
        private final Selector selector;
        private final boolean action;
        private final Consumer<SelectionKey> handler = this::handle;
        private int handled;

        Round(Selector selector, boolean action) {
            this.selector = selector;
            this.action = action;
        }

        /** @return the number of keys handled */
        int run() throws Exception {
            handled = 0;
            if (action) {
                selector.select(handler);
            } else {
                selector.select();
                for (Iterator<SelectionKey> i = selector.selectedKeys().iterator(); i.hasNext(); ) {
                    handle(i.next());
                    i.remove();
                }
            }
            return handled;
        }

        /** Asks for OP_WRITE and stops asking, as a loop does for output it cannot write at once. */
        private void handle(SelectionKey key) {
            if (key.isReadable()) {
                handled++;
            }
            key.interestOpsOr(OP_WRITE);
            key.interestOpsAnd(~OP_WRITE);
        }

        void repeat(int rounds, int ready) throws Exception {
            for (int r = 0; r < rounds; r++) {
                if (run() != ready) {
                    throw new AssertionError("round " + r + " handled " + handled + " keys, not " + ready);
                }
            }
        }

        double bytesPerRound(int ready) throws Exception {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            repeat(MEASURED_ROUNDS, ready);
            return (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) MEASURED_ROUNDS;
        }
    }
}

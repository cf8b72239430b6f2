package dev.socketpair;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Counts the heap a loop of message batches allocates per round in steady state, a round being one
 * {@link UnixSocketChannel#sendMessages} and one {@link UnixSocketChannel#receiveMessages} of the same
 * buffers, with few messages per batch and with many, by the JVM's exact counter of the thread's
 * allocation. Used by {@link MessageBatchAllocationTest} in its own JVM, and run by it in a child JVM with
 * other compiler options: the argument is a {@link SocketType}'s name, and it prints one line per kind of
 * buffer, {@code direct|heap few many}.
 */
public final class MessageBatchAllocationProbe {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static final int FEW = 4;
    static final int MANY = 64;
    private static final int SIZE = 64;
    private static final int WARM_UP_ROUNDS = 20_000;
    private static final int MEASURED_ROUNDS = 2_000;
    /** Measurements of each batch size, the smallest of which counts: a compilation can intrude. */
    private static final int MEASUREMENTS = 3;

    private MessageBatchAllocationProbe() {
    }

    public static void main(String[] args) throws Exception {
        SocketType type = SocketType.valueOf(args[0]);
        for (boolean direct : new boolean[] {true, false}) {
            double[] bytes = bytesPerRound(type, direct);
            System.out.printf(Locale.ROOT, "%s %.2f %.2f%n", direct ? "direct" : "heap", bytes[0], bytes[1]);
        }
    }

    /** Whether this JVM counts each thread's allocation. */
    static boolean supported() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }

    /**
     * Sends and receives batches of {@value #SIZE}-byte messages on a blocking pair of {@code type}, from
     * and into the same direct or heap buffers every round.
     *
     * @return the bytes allocated per round with {@link #FEW} messages a batch, and with {@link #MANY}
     */
    static double[] bytesPerRound(SocketType type, boolean direct) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            Round few = new Round(pair, FEW, direct);
            Round many = new Round(pair, MANY, direct);
            few.repeat(WARM_UP_ROUNDS);
            many.repeat(WARM_UP_ROUNDS);
            double fewBytes = Double.MAX_VALUE;
            double manyBytes = Double.MAX_VALUE;
            for (int m = 0; m < MEASUREMENTS; m++) {
                fewBytes = Math.min(fewBytes, few.bytesPerRound());
                manyBytes = Math.min(manyBytes, many.bytesPerRound());
            }
            return new double[] {fewBytes, manyBytes};
        }
    }

    /** One batch sent and received, as a loop over the same buffers does it. */
    private static final class Round {
        private final SocketPair pair;
        private final ByteBuffer[] outgoing;
        private final ByteBuffer[] incoming;

        Round(SocketPair pair, int messages, boolean direct) {
            this.pair = pair;
            this.outgoing = new ByteBuffer[messages];
            this.incoming = new ByteBuffer[messages];
            for (int i = 0; i < messages; i++) {
                outgoing[i] = direct ? ByteBuffer.allocateDirect(SIZE) : ByteBuffer.allocate(SIZE);
                incoming[i] = direct ? ByteBuffer.allocateDirect(SIZE) : ByteBuffer.allocate(SIZE);
            }
        }

        void run() throws Exception {
            for (int i = 0; i < outgoing.length; i++) {
                outgoing[i].clear();
                incoming[i].clear();
            }
            int sent = pair.first().sendMessages(outgoing);
            int received = pair.second().receiveMessages(incoming);
            if (sent != outgoing.length || received != outgoing.length) {
                throw new AssertionError("sent " + sent + " and received " + received + " of " + outgoing.length);
            }
        }

        void repeat(int rounds) throws Exception {
            for (int r = 0; r < rounds; r++) {
                run();
            }
        }

        double bytesPerRound() throws Exception {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            repeat(MEASURED_ROUNDS);
            return (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) MEASURED_ROUNDS;
        }
    }
}

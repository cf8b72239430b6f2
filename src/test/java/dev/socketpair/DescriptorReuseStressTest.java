package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No operation ever acts on a descriptor number that the process has reused: channels are closed while
 * reads and writes are in flight on them, and meanwhile other threads open and close pipes, files and
 * socket pairs without pause, so that a number freed by close(2) is taken again at once (the kernel hands
 * out the lowest free number). A read or write that reached the kernel after its channel's close(2)
 * would fail with EBADF or ENOTSOCK, or move bytes into another socket.
 *
 * <p>Every record written is 16 bytes: a tag naming the pair and direction (never reused in a run) and a
 * sequence number. Each reader checks that every record it gets carries its own tag and the next
 * number; every pipe, file and socket pair the other threads open is checked, before it is closed, to
 * hold exactly the one record written to it. The only failures a reader or writer may see are those of
 * a close: {@link ClosedChannelException} (and its subclasses), EPIPE and ECONNRESET.
 *
 * <p>That the test can fail was checked by hand: with {@code SocketDescriptor.close()} changed to call
 * close(2) right after waking the blocked threads, instead of once the last operation in flight has
 * left, both runs failed in each of six attempts, within a second: writes failed with EBADF on a
 * number already closed, a pipe or socket pair opened during a close held records of a stress pair or
 * bytes nobody sent it, and readers received records of another pair. With the protocol restored,
 * both pass, on an idle machine and with both CPUs kept busy by other processes. (An earlier version
 * that closed only from virtual threads, with fewer pieces per gathering write and no probes, let the
 * virtual run miss the broken protocol in some attempts; hence the choices below.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DescriptorReuseStressTest {

    /** How long each run goes on opening and closing, after its minimum number of rounds. */
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final int MIN_ROUNDS = 20;
    private static final int SLOTS = 3;
    private static final int CHURNERS = 2;
    /** What each churner keeps open at once; the oldest is checked and closed as a new one opens. */
    private static final int HELD = 8;
    private static final int RECORD = 16;
    private static final int WRITE_MAX = 4096 * RECORD;
    private static final int READ_MAX = 8192;
    /** Pipes and pairs a slot opens at most while a close is under way. */
    private static final int PROBES = 16;
    /** Records a reader gets before its pair may be closed, so that the close finds traffic in flight. */
    private static final int TRAFFIC = 64;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void noReadOrWriteEverReachesADescriptorNumberReusedAfterItsChannelClosed(boolean virtual) throws Exception {
        Run run = new Run(virtual, dir);
        run.go();
        assertThat(run.failures).as("failures (of %d)", run.failures.size()).isEmpty();
        assertThat(run.closes.sum()).as("closes under traffic").isGreaterThanOrEqualTo(SLOTS * MIN_ROUNDS);
        assertThat(run.records.sum()).as("records checked").isGreaterThanOrEqualTo((long) SLOTS * MIN_ROUNDS * TRAFFIC);
        assertThat(run.churned.sum()).as("pipes, files and pairs checked").isPositive();
    }

    private static final class Run {
        final boolean virtual;
        final Path dir;
        final long deadline = System.nanoTime() + RUN_NANOS;
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong tags = new AtomicLong(0x7a6700000000L);
        final LongAdder closes = new LongAdder();
        final LongAdder records = new LongAdder();
        final LongAdder churned = new LongAdder();
        volatile boolean slotsDone;

        Run(boolean virtual, Path dir) {
            this.virtual = virtual;
            this.dir = dir;
        }

        void go() throws Exception {
            List<CompletableFuture<Void>> churners = new ArrayList<>();
            // Churners, and the slots that open pairs, close them and take numbers during a close, run
            // on platform threads for both kinds: they never wait, so as virtual threads they would
            // hold the few carriers that the readers and writers under test need, and only a reader or
            // writer mounted at the moment of a close can be caught between taking hold of the
            // descriptor and its system call.
            for (int i = 0; i < CHURNERS; i++) {
                int index = i;
                churners.add(Concurrently.start(false, () -> churn(index)));
            }
            List<CompletableFuture<Void>> slots = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) {
                int index = i;
                slots.add(Concurrently.start(false, () -> slot(index)));
            }
            try {
                for (CompletableFuture<Void> slot : slots) {
                    slot.get(60, TimeUnit.SECONDS);
                }
            } finally {
                slotsDone = true;
                for (CompletableFuture<Void> churner : churners) {
                    churner.get(30, TimeUnit.SECONDS);
                }
            }
        }

        /**
         * Rounds of: a new pair, a reader and a writer on each end, a close of one end or both under
         * traffic, and meanwhile new pipes and pairs (probes) that take the numbers the close frees.
         */
        Void slot(int index) throws Exception {
            Random random = new Random(index);
            // Memory for the four workers of a round, used again by the next round once they are done.
            ByteBuffer[] heap = {ByteBuffer.allocate(WRITE_MAX), ByteBuffer.allocate(WRITE_MAX),
                    ByteBuffer.allocate(READ_MAX), ByteBuffer.allocate(READ_MAX)};
            ByteBuffer[] direct = {ByteBuffer.allocateDirect(WRITE_MAX), ByteBuffer.allocateDirect(WRITE_MAX),
                    ByteBuffer.allocateDirect(READ_MAX), ByteBuffer.allocateDirect(READ_MAX)};
            for (int round = 0; (round < MIN_ROUNDS || System.nanoTime() < deadline) && failures.isEmpty(); round++) {
                try (SocketPair pair = SocketPair.open()) {
                    UnixSocketChannel a = pair.first();
                    UnixSocketChannel b = pair.second();
                    long ab = tags.incrementAndGet();
                    long ba = tags.incrementAndGet();
                    CountDownLatch traffic = new CountDownLatch(2);
                    long seed = random.nextLong();
                    List<CompletableFuture<Void>> workers = List.of(
                            Concurrently.start(virtual, () -> write(a, ab, heap[0], direct[0], new Random(seed))),
                            Concurrently.start(virtual, () -> write(b, ba, heap[1], direct[1], new Random(seed + 1))),
                            Concurrently.start(virtual, () -> read(b, ab, traffic, heap[2], direct[2], new Random(seed + 2))),
                            Concurrently.start(virtual, () -> read(a, ba, traffic, heap[3], direct[3], new Random(seed + 3))));
                    assertThat(traffic.await(10, TimeUnit.SECONDS)).as("%d records each way, or the readers ended", TRAFFIC)
                            .isTrue();
                    List<UnixSocketChannel> ends = switch (random.nextInt(3)) {
                        case 0 -> List.of(a);
                        case 1 -> List.of(b);
                        default -> List.of(a, b);
                    };
                    // Closes run on platform threads, but when both ends close, one of the two runs on a
                    // thread of the kind under test.
                    List<CompletableFuture<Void>> closers = new ArrayList<>();
                    for (UnixSocketChannel end : ends) {
                        closers.add(Concurrently.start(virtual && end == b && ends.size() == 2, () -> {
                            end.close();
                            return null;
                        }));
                    }
                    // While the close waits for the operations in flight, take the numbers it may free.
                    List<Held> probes = new ArrayList<>();
                    while (probes.size() < PROBES && !closers.stream().allMatch(CompletableFuture::isDone)) {
                        long tag = tags.incrementAndGet();
                        probes.add(probes.size() % 2 == 0 ? new HeldPair(tag) : new HeldPipe(tag));
                    }
                    try {
                        for (CompletableFuture<Void> closer : closers) {
                            closer.get(10, TimeUnit.SECONDS);
                        }
                        closes.increment();
                        for (CompletableFuture<Void> worker : workers) {
                            worker.get(20, TimeUnit.SECONDS);
                        }
                    } finally {
                        for (Held probe : probes) {
                            check(probe);
                        }
                    }
                }
            }
            return null;
        }

        /**
         * Writes records of one tag until a close stops it: single writes of one record to 64 KiB from
         * heap or direct memory, and gathering writes of 64 KiB cut into up to 1024 heap and direct
         * pieces (whose copy into native memory keeps a write busy between taking hold of the
         * descriptor and the system call).
         */
        Void write(UnixSocketChannel channel, long tag, ByteBuffer heap, ByteBuffer direct, Random random) {
            long sequence = 0;
            try {
                for (;;) {
                    int kind = random.nextInt(4);
                    int count = random.nextInt(8) == 0 || kind == 3 ? WRITE_MAX / RECORD : 1 + random.nextInt(64);
                    ByteBuffer buffer = (kind == 1 ? direct : heap).clear();
                    for (int i = 0; i < count; i++) {
                        buffer.putLong(tag).putLong(sequence++);
                    }
                    buffer.flip();
                    if (kind < 2) {
                        channel.write(buffer);
                    } else {
                        channel.write(pieces(buffer, direct, 1 + random.nextInt(1024), random));
                    }
                }
            } catch (Throwable t) {
                expectEndOfTraffic(t, "writer of " + Long.toHexString(tag));
            }
            return null;
        }

        /** Cuts the bytes of {@code whole} into {@code n} pieces, each heap or (a copy in) direct memory. */
        private static ByteBuffer[] pieces(ByteBuffer whole, ByteBuffer direct, int n, Random random) {
            ByteBuffer[] pieces = new ByteBuffer[n];
            int size = whole.remaining();
            direct.clear();
            for (int i = 0, start = 0; i < n; i++) {
                int end = i == n - 1 ? size : start + random.nextInt(size - start + 1);
                ByteBuffer piece = whole.slice(start, end - start);
                if (random.nextInt(4) == 0) {
                    piece = direct.slice(start, end - start).put(piece).flip();
                }
                pieces[i] = piece;
                start = end;
            }
            return pieces;
        }

        /** Reads and checks records until end of stream or a close; the incomplete tail a close leaves is fine. */
        Void read(UnixSocketChannel channel, long tag, CountDownLatch traffic, ByteBuffer heap, ByteBuffer direct,
                Random random) {
            ByteBuffer buffer = (random.nextBoolean() ? heap : direct).clear();
            long expected = 0;
            try {
                for (;;) {
                    buffer.limit(Math.min(buffer.capacity(), buffer.position() + 1 + random.nextInt(buffer.capacity())));
                    if (channel.read(buffer) < 0) {
                        return null;
                    }
                    buffer.flip();
                    while (buffer.remaining() >= RECORD) {
                        long gotTag = buffer.getLong();
                        long gotSequence = buffer.getLong();
                        if (gotTag != tag || gotSequence != expected) {
                            failures.add("reader of " + Long.toHexString(tag) + " expected record " + expected
                                    + ", got tag " + Long.toHexString(gotTag) + " record " + gotSequence);
                            return null;
                        }
                        if (++expected == TRAFFIC) {
                            traffic.countDown();
                        }
                    }
                    buffer.compact();
                }
            } catch (Throwable t) {
                expectEndOfTraffic(t, "reader of " + Long.toHexString(tag));
                return null;
            } finally {
                records.add(expected);
                if (expected < TRAFFIC) {
                    traffic.countDown();
                }
            }
        }

        /** A close of either end ends a reader or writer with one of these; anything else is a failure. */
        void expectEndOfTraffic(Throwable t, String who) {
            if (t instanceof ClosedChannelException) {
                return;
            }
            if (t instanceof ErrnoException e && (e.errnoName().equals("EPIPE") || e.errnoName().equals("ECONNRESET"))) {
                return;
            }
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            failures.add(who + ": " + trace);
        }

        /**
         * Opens pipes, files and socket pairs, each holding one record, and keeps the last few open, so
         * that the numbers the slots free are taken again at once and stay taken for a while.
         */
        Void churn(int index) throws Exception {
            Random random = new Random(1000 + index);
            Deque<Held> held = new ArrayDeque<>();
            try {
                while (!slotsDone) {
                    long tag = tags.incrementAndGet();
                    held.addLast(switch (random.nextInt(3)) {
                        case 0 -> new HeldPipe(tag);
                        case 1 -> new HeldFile(dir.resolve(Long.toHexString(tag)), tag);
                        default -> new HeldPair(tag);
                    });
                    if (held.size() > HELD) {
                        check(held.removeFirst());
                    }
                }
            } finally {
                while (!held.isEmpty()) {
                    check(held.removeFirst());
                }
            }
            return null;
        }

        void check(Held h) throws IOException {
            try (h) {
                String problem = h.problem();
                if (problem != null) {
                    failures.add(h + ": " + problem);
                }
            }
            churned.increment();
        }
    }

    private static ByteBuffer record(long tag) {
        return ByteBuffer.allocate(RECORD).putLong(tag).putLong(0).flip();
    }

    /** Says what is wrong with what was read back, or null if it is exactly the record. */
    private static String compare(ByteBuffer got, long tag) {
        got.flip();
        if (got.equals(record(tag))) {
            return null;
        }
        byte[] bytes = new byte[got.remaining()];
        got.get(bytes);
        return "holds " + HexFormat.of().formatHex(bytes) + " instead of its one record";
    }

    /** Something a churner opened and wrote one record to. */
    private interface Held extends AutoCloseable {
        /** Reads back what it holds; returns null if that is exactly the record written. */
        String problem() throws IOException;

        @Override
        void close() throws IOException;
    }

    private static final class HeldPipe implements Held {
        private final Pipe pipe = Pipe.open();
        private final long tag;

        HeldPipe(long tag) throws IOException {
            this.tag = tag;
            pipe.sink().write(record(tag));
        }

        @Override
        public String problem() throws IOException {
            pipe.source().configureBlocking(false);
            ByteBuffer got = ByteBuffer.allocate(4 * RECORD);
            while (got.hasRemaining() && pipe.source().read(got) > 0) {
                // drained until nothing is left
            }
            return compare(got, tag);
        }

        @Override
        public void close() throws IOException {
            pipe.source().close();
            pipe.sink().close();
        }

        @Override
        public String toString() {
            return "pipe " + Long.toHexString(tag);
        }
    }

    private static final class HeldFile implements Held {
        private final Path path;
        private final FileChannel file;
        private final long tag;

        HeldFile(Path path, long tag) throws IOException {
            this.path = path;
            this.tag = tag;
            this.file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            file.write(record(tag));
        }

        @Override
        public String problem() throws IOException {
            ByteBuffer got = ByteBuffer.allocate(4 * RECORD);
            file.read(got, 0);
            return file.size() != RECORD ? "has " + file.size() + " bytes" : compare(got, tag);
        }

        @Override
        public void close() throws IOException {
            file.close();
            Files.delete(path);
        }

        @Override
        public String toString() {
            return "file " + Long.toHexString(tag);
        }
    }

    private static final class HeldPair implements Held {
        private final SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC);
        private final long tag;

        HeldPair(long tag) throws IOException {
            this.tag = tag;
            pair.first().write(record(tag));
        }

        @Override
        public String problem() throws IOException {
            ByteBuffer got = ByteBuffer.allocate(4 * RECORD);
            while (got.hasRemaining() && pair.second().read(got) > 0) {
                // drained until nothing is left
            }
            String problem = compare(got, tag);
            if (problem == null && pair.first().read(ByteBuffer.allocate(RECORD)) != 0) {
                problem = "received bytes nobody sent it";
            }
            return problem;
        }

        @Override
        public void close() throws IOException {
            pair.close();
        }

        @Override
        public String toString() {
            return "socket pair " + Long.toHexString(tag);
        }
    }
}

package dev.socketpair;

import dev.socketpair.internal.SocketControl;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What each readiness backend of the selector does its own way, run on each explicitly, with the same
 * outcome required of both: epoll(7) keeps the interest list in the kernel, poll(2) is given it whole at
 * each wait, so that its array must grow with the channels, let go of a closing channel's socket that a
 * wait in progress holds, and keep a number closed behind the selector's back from ending every wait.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectorBackendTest {

    /** Far more channels than a poll(2) array starts with. */
    private static final int PAIRS = 300;

    private static SocketPair nonBlockingPair() throws Exception {
        return SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC);
    }

    @ParameterizedTest(name = "{0}, virtual={1}")
    @CsvSource({"EPOLL, false", "EPOLL, true", "POLL, false", "POLL, true"})
    void aSelectorOfManyChannelsSelectsExactlyTheReadyOnesAsKeysComeGoAndChange(Backend backend, boolean virtual)
            throws Exception {
        List<SocketPair> pairs = new ArrayList<>();
        try (Selector selector = backend.openSelector()) {
            List<SelectionKey> keys = new ArrayList<>();
            for (int i = 0; i < PAIRS; i++) {
                pairs.add(nonBlockingPair());
                keys.add(pairs.get(i).second().register(selector, OP_READ, i));
            }
            Set<Integer> written = writeTo(pairs, i -> i % 7 == 0);
            assertThat(select(selector, virtual)).isEqualTo(written.size());
            assertThat(selected(selector)).isEqualTo(written);
            drain(pairs, written);
            selector.selectedKeys().clear();

            Set<Integer> expected = new TreeSet<>();
            for (int i = 0; i < PAIRS; i++) {
                if (i % 2 == 0) {
                    keys.get(i).cancel();
                } else if (i % 5 == 0) {
                    keys.get(i).interestOps(OP_WRITE);
                    expected.add(i);
                }
            }
            for (int i : writeTo(pairs, i -> i % 3 == 0)) {
                if (i % 2 != 0 && i % 5 != 0) {
                    expected.add(i);
                }
            }
            assertThat(select(selector, virtual)).isEqualTo(expected.size());
            assertThat(selected(selector)).as("odd keys: writable for i %% 5 == 0, readable for i %% 3 == 0")
                    .isEqualTo(expected);
            assertThat(selector.keys()).hasSize(PAIRS / 2);

            for (int i = PAIRS; i < 2 * PAIRS; i++) {
                pairs.add(nonBlockingPair());
                pairs.get(i).second().register(selector, OP_READ, i);
            }
            selector.selectedKeys().clear();
            Set<Integer> late = writeTo(pairs, i -> i >= PAIRS);
            expected.addAll(late);
            assertThat(select(selector, virtual)).isEqualTo(expected.size());
            assertThat(selected(selector)).isEqualTo(expected);
        } finally {
            for (SocketPair pair : pairs) {
                pair.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}, virtual={1}")
    @CsvSource({"EPOLL, false", "EPOLL, true", "POLL, false", "POLL, true"})
    void closingARegisteredChannelWhileAThreadSelectsEndsItsSocketAtOnceAndWakesNobody(Backend backend,
                                                                                       boolean virtual)
            throws Exception {
        try (SocketPair closing = nonBlockingPair(); SocketPair staying = nonBlockingPair();
             Selector selector = backend.openSelector()) {
            closing.second().register(selector, OP_READ);
            SelectionKey open = staying.second().register(selector, OP_READ);
            Concurrently.Started<Integer> select = Selecting.select(virtual, selector);

            closing.second().close();
            assertThat(closing.first().read(ByteBuffer.allocate(1)))
                    .as("the peer reads end of stream as soon as close returns: no wait holds the socket")
                    .isEqualTo(-1);
            Selecting.awaitSelecting(select.thread(), select.outcome());
            assertThat(select.outcome()).as("a channel's close is not a wake-up of the selector").isNotDone();

            staying.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(Concurrently.await(select.outcome())).isEqualTo(1);
            assertThat(selector.selectedKeys()).containsExactly(open);
            assertThat(selector.keys()).containsExactly(open);
        }
    }

    @ParameterizedTest(name = "{0}, virtual={1}")
    @CsvSource({"EPOLL, false", "EPOLL, true", "POLL, false", "POLL, true"})
    void aNumberClosedBehindTheSelectorsBackIsNeverSelectedAndEndsNoWait(Backend backend, boolean virtual)
            throws Exception {
        try (SocketPair lost = nonBlockingPair(); SocketPair live = nonBlockingPair();
             Selector selector = backend.openSelector()) {
            SelectionKey lostKey = lost.second().register(selector, OP_READ);
            SelectionKey liveKey = live.second().register(selector, OP_READ);
            // Everything the steps below load is loaded now: while the number is closed, no file may take it.
            assertThat(Concurrently.await(Concurrently.start(virtual, () -> selector.select(1)))).isZero();

            int fd = lost.second().fd();
            int saved = SocketControl.duplicate(fd);
            try {
                RawFd.close(fd);
                long[] spent = new long[2];
                int selected = Concurrently.await(Concurrently.start(virtual, () -> {
                    long start = System.nanoTime();
                    long cpu = cpuMillis(virtual);
                    int n = selector.select(1_000);
                    spent[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    spent[1] = cpuMillis(virtual) - cpu;
                    return n;
                }));
                assertThat(selected).isZero();
                assertThat(spent[0]).as("a select with nothing ready waits for its timeout")
                        .isGreaterThanOrEqualTo(990);
                assertThat(spent[1]).as("milliseconds of CPU time: it waits, not polls again and again")
                        .isLessThan(300);
                assertThat(selector.selectedKeys()).isEmpty();

                live.first().write(ByteBuffer.wrap(new byte[] {1}));
                assertThat(Concurrently.await(Concurrently.start(virtual, () -> selector.select(10_000)))).isEqualTo(1);
                assertThat(selector.selectedKeys()).containsExactly(liveKey);
                assertThat(lostKey.isValid()).as("the channel knows nothing of it").isTrue();
            } finally {
                assertThat(RawFd.duplicate(saved, fd)).as("the channel's number given back").isEqualTo(fd);
                RawFd.close(saved);
            }
        }
    }

    /**
     * Runs {@code selector.select()} on a new thread of the kind given, then {@code selectNow()} until it
     * selects nothing more, and returns how many keys they selected: one wait may report only some of
     * the ready keys (epoll_wait(2) as many as its event array holds), and the next ones the others.
     */
    private static int select(Selector selector, boolean virtual) throws Exception {
        int selected = Concurrently.await(Concurrently.start(virtual, () -> selector.select()));
        for (int n; (n = selector.selectNow()) > 0; ) {
            selected += n;
        }
        return selected;
    }

    /**
     * The native thread names (as the kernel keeps them, cut to 15 characters) of the threads a virtual
     * thread's select can run on or hand its wait to: the scheduler's carriers, the JDK's unparker of
     * timed parks, and this library's pollers. The JVM's compiler and collector threads are left out:
     * they run when they will, and on a small machine they can take most of a second.
     */
    private static final List<String> VIRTUAL_SELECT_THREADS = List.of("ForkJoinPool-", "VirtualThread-", "socketpair-");

    /**
     * CPU time in milliseconds, user and system, as /proc reports it: the current thread's for a platform
     * thread; for a virtual thread, which the kernel does not know, the sum over the threads it can run on
     * or hand its wait to ({@link #VIRTUAL_SELECT_THREADS}). Counted in clock ticks of 10 ms (USER_HZ is
     * 100 on Linux).
     */
    private static long cpuMillis(boolean virtual) throws IOException {
        if (!virtual) {
            return cpuMillis(Files.readString(Path.of("/proc/thread-self/stat")));
        }
        long sum = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (VIRTUAL_SELECT_THREADS.stream().anyMatch(name::startsWith)) {
                        sum += cpuMillis(stat);
                    }
                } catch (NoSuchFileException ended) {
                    // A thread that ended between the listing and the read.
                }
            }
        }
        return sum;
    }

    private static long cpuMillis(String stat) {
        // "pid (comm) state ...": utime and stime are the 14th and 15th fields, the 12th and 13th after comm.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    /** Writes one byte to the first end of each pair whose index {@code which} accepts; returns the indices. */
    private static Set<Integer> writeTo(List<SocketPair> pairs, java.util.function.IntPredicate which)
            throws Exception {
        Set<Integer> written = new TreeSet<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (which.test(i)) {
                assertThat(pairs.get(i).first().write(ByteBuffer.wrap(new byte[] {1}))).isOne();
                written.add(i);
            }
        }
        return written;
    }

    private static void drain(List<SocketPair> pairs, Set<Integer> indices) throws Exception {
        for (int i : indices) {
            assertThat(pairs.get(i).second().read(ByteBuffer.allocate(1))).isOne();
        }
    }

    /** The attachments (pair indices) of the selected keys. */
    private static Set<Integer> selected(Selector selector) {
        return selector.selectedKeys().stream().map(k -> (Integer) k.attachment())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}

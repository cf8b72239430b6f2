package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Field;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Readiness, waiting, waking and the key sets of the selector for UnixSocketChannels, on the backend the
 * system has (epoll; poll(2) in portable mode, in which the suite runs again).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelectorTest {

    private static SocketPair nonBlockingPair() throws Exception {
        return SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void readBecomesReadyAfterThePeerWritesAndNotBefore(boolean virtual) throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.second().register(selector, OP_READ, "attached");
            assertThat(selector.selectNow()).isZero();
            assertThat(selector.selectedKeys()).isEmpty();

            Concurrently.Started<Integer> select = Selecting.select(virtual, selector);
            assertThat(select.outcome()).isNotDone();
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("ping")));

            assertThat(Concurrently.await(select.outcome())).isEqualTo(1);
            assertThat(selector.selectedKeys()).containsExactly(key);
            assertThat(key.readyOps()).isEqualTo(OP_READ);
            assertThat(key.isReadable()).isTrue();
            assertThat(key.attachment()).isEqualTo("attached");
            ByteBuffer buffer = ByteBuffer.allocate(16);
            assertThat(pair.second().read(buffer)).isEqualTo(4);
            assertThat(Bytes.ascii(buffer.flip())).isEqualTo("ping");

            selector.selectedKeys().clear();
            assertThat(selector.selectNow()).as("read drained").isZero();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void writeIsReadyInitiallyNotOnceTheSendBufferIsFullAndAgainAfterThePeerDrains(boolean virtual) throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.first().register(selector, OP_WRITE);
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_WRITE);

            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long filled = 0;
            for (int n; (n = pair.first().write(chunk.clear())) > 0; ) {
                filled += n;
            }
            assertThat(filled).isPositive();
            selector.selectedKeys().clear();
            assertThat(selector.selectNow()).as("send buffer full").isZero();
            assertThat(selector.selectedKeys()).isEmpty();

            Concurrently.Started<Integer> select = Selecting.select(virtual, selector);
            assertThat(select.outcome()).isNotDone();
            long drained = 0;
            ByteBuffer sink = ByteBuffer.allocateDirect(64 * 1024);
            while (drained < filled) {
                int n = pair.second().read(sink.clear());
                assertThat(n).isPositive();
                drained += n;
            }
            assertThat(Concurrently.await(select.outcome())).isEqualTo(1);
            assertThat(selector.selectedKeys()).containsExactly(key);
            assertThat(key.readyOps()).isEqualTo(OP_WRITE);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void selectWithTimeoutReturnsZeroAfterAboutTheTimeoutWhenNothingIsReady(boolean virtual) throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            pair.second().register(selector, OP_READ);
            CompletableFuture<Long> elapsed = Concurrently.start(virtual, () -> {
                long start = System.nanoTime();
                int n = selector.select(200);
                assertThat(n).isZero();
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            });
            assertThat(Concurrently.await(elapsed)).isBetween(190L, 5_000L);
            assertThat(selector.selectedKeys()).isEmpty();
        }
    }

    @Test
    void selectNowNeverBlocks() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            pair.second().register(selector, OP_READ);
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertThat(selector.selectNow()).isZero();
            }
            assertThat(selector.selectNow(k -> { })).isZero();
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void wakeupBeforeSelectMakesTheNextSelectReturnAtOnceAndOnlyThatOne(boolean virtual) throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            pair.second().register(selector, OP_READ);
            selector.wakeup();
            selector.wakeup();
            CompletableFuture<long[]> outcome = Concurrently.start(virtual, () -> {
                int first = selector.select();
                long start = System.nanoTime();
                int second = selector.select(150);
                return new long[] {first, second, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)};
            });
            long[] result = Concurrently.await(outcome);
            assertThat(result[0]).as("select after wakeup").isZero();
            assertThat(result[1]).isZero();
            assertThat(result[2]).as("the second select waited its timeout").isGreaterThanOrEqualTo(140);
        }
    }

    @Test
    void selectNowClearsAnEarlierWakeup() throws Exception {
        try (Selector selector = UnixSocketChannel.openSelector()) {
            selector.wakeup();
            assertThat(selector.selectNow()).isZero();
            long start = System.nanoTime();
            assertThat(selector.select(150)).isZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(140);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void wakeupFromAnotherThreadReleasesABlockedSelect(boolean virtual) throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            pair.second().register(selector, OP_READ);
            Concurrently.Started<Integer> select = Selecting.select(virtual, selector);
            assertThat(select.outcome()).isNotDone();
            selector.wakeup();
            assertThat(Concurrently.await(select.outcome())).isZero();
            assertThat(selector.isOpen()).isTrue();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closingTheSelectorFromAnotherThreadReleasesABlockedSelect(boolean virtual) throws Exception {
        try (SocketPair pair = nonBlockingPair()) {
            Selector selector = UnixSocketChannel.openSelector();
            SelectionKey key = pair.second().register(selector, OP_READ);
            Concurrently.Started<Integer> select = Selecting.select(virtual, selector);
            assertThat(select.outcome()).isNotDone();
            selector.close();
            assertThat(Concurrently.await(select.outcome())).isZero();
            assertThat(selector.isOpen()).isFalse();
            assertThat(key.isValid()).isFalse();
            assertThat(pair.second().isRegistered()).isFalse();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void interruptReleasesABlockedSelectWithTheInterruptStatusSetAndTheSelectorOpen(boolean virtual)
            throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.second().register(selector, OP_READ);
            Concurrently.Started<Boolean> select = Selecting.start(virtual, () -> {
                int n = selector.select();
                assertThat(n).isZero();
                return Thread.currentThread().isInterrupted();
            });
            assertThat(select.outcome()).isNotDone();
            select.thread().interrupt();
            assertThat(Concurrently.await(select.outcome())).as("interrupt status after select").isTrue();
            assertThat(selector.isOpen()).isTrue();
            assertThat(key.isValid()).isTrue();
            assertThat(pair.second().isOpen()).as("unlike a read, select does not close a channel").isTrue();

            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(selector.select(5_000)).isEqualTo(1);
        }
    }

    @Test
    void cancelledKeyLeavesTheKeySetAtTheNextSelectionOperation() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.second().register(selector, OP_READ);
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            key.cancel();
            assertThat(key.isValid()).isFalse();
            assertThat(selector.keys()).containsExactly(key);
            assertThatThrownBy(key::readyOps).isInstanceOf(CancelledKeyException.class);
            assertThatThrownBy(key::interestOps).isInstanceOf(CancelledKeyException.class);
            assertThatThrownBy(() -> key.interestOps(OP_WRITE)).isInstanceOf(CancelledKeyException.class);

            assertThat(selector.selectNow()).as("a cancelled key is never selected").isZero();
            assertThat(selector.keys()).isEmpty();
            assertThat(pair.second().isRegistered()).isFalse();
            assertThat(pair.second().keyFor(selector)).isNull();

            SelectionKey again = pair.second().register(selector, OP_READ);
            assertThat(again).isNotSameAs(key);
            assertThat(selector.selectNow()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closingARegisteredChannelCancelsItsKeyAndTheSelectorKeepsWorking(boolean virtual) throws Exception {
        try (SocketPair closing = nonBlockingPair(); SocketPair staying = nonBlockingPair();
             Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey closed = closing.second().register(selector, OP_READ);
            SelectionKey open = staying.second().register(selector, OP_READ);
            closing.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThat(selector.selectedKeys()).containsExactly(closed);
            selector.selectedKeys().clear();

            closing.second().close();
            assertThat(closed.isValid()).isFalse();
            assertThat(selector.selectNow()).isZero();
            assertThat(selector.keys()).containsExactly(open);

            Concurrently.Started<Integer> select = Selecting.select(virtual, selector);
            assertThat(select.outcome()).isNotDone();
            staying.first().write(ByteBuffer.wrap(new byte[] {2}));
            assertThat(Concurrently.await(select.outcome())).isEqualTo(1);
            assertThat(selector.selectedKeys()).containsExactly(open);
        }
    }

    @Test
    void aChannelOnTheNumberOfAClosedRegisteredOneIsSelectedForItsOwnReadinessOnly() throws Exception {
        List<SocketPair> opened = new ArrayList<>();
        try (SocketPair old = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            int number = old.second().fd();
            old.second().register(selector, OP_READ);
            old.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(selector.selectNow()).isEqualTo(1);
            selector.selectedKeys().clear();
            // Closed with data unread: a registration left behind would report it as readable.
            old.second().close();

            UnixSocketChannel reused = channelOnNumber(number, opened);
            SelectionKey key = reused.register(selector, OP_READ);
            assertThat(selector.selectNow()).as("nothing to read on the new socket").isZero();
            assertThat(selector.keys()).containsExactly(key);
        } finally {
            for (SocketPair pair : opened) {
                pair.close();
            }
        }
    }

    @Test
    void anInterestChangeOfAClosingChannelLeavesItsReusedNumberToTheNewChannel() throws Exception {
        List<SocketPair> opened = new ArrayList<>();
        try (SocketPair old = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            UnixSocketChannel closing = old.second();
            int number = closing.fd();
            SelectionKey oldKey = closing.register(selector, OP_READ);
            selector.selectNow();
            // The channel's keys are cancelled after its descriptor is closed, under its key lock: holding
            // that lock keeps the channel between the two, its key valid and its number free for reuse.
            Field keyLockField = AbstractSelectableChannel.class.getDeclaredField("keyLock");
            keyLockField.setAccessible(true);
            Object keyLock = keyLockField.get(closing);
            SelectionKey newKey;
            UnixSocketChannel newPeer;
            CompletableFuture<Void> close;
            synchronized (keyLock) {
                close = Concurrently.start(false, () -> {
                    closing.close();
                    return null;
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ProcFd.target(number) != null && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                UnixSocketChannel reused = channelOnNumber(number, opened);
                newPeer = opened.getLast().first() == reused ? opened.getLast().second() : opened.getLast().first();
                newKey = reused.register(selector, OP_READ);
                assertThat(oldKey.isValid()).as("the closing channel's key, not yet cancelled").isTrue();
                oldKey.interestOps(OP_READ | OP_WRITE);
                assertThat(selector.selectNow()).isZero();
            }
            Concurrently.await(close);
            assertThat(selector.selectNow()).as("the old key deregistered").isZero();
            assertThat(selector.keys()).containsExactly(newKey);

            newPeer.write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(selector.select(10_000)).isEqualTo(1);
            assertThat(selector.selectedKeys()).containsExactly(newKey);
        } finally {
            for (SocketPair pair : opened) {
                pair.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void wakeupReleasesAVirtualThreadSelectingWhilePinnedToTheOnlyCarrier(Backend backend) throws Exception {
        String output = ProbeJvm.run(PinnedSelectProbe.class, List.of("-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1", backend.jvmOption()), List.of(), 30);
        assertThat(output).contains("selecting thread WAITING", "released, selected 0");
    }

    /** Opens pairs (kept in {@code opened}) until one end gets descriptor {@code number}, and returns it. */
    private static UnixSocketChannel channelOnNumber(int number, List<SocketPair> opened) throws Exception {
        for (int i = 0; i < 16; i++) {
            SocketPair pair = nonBlockingPair();
            opened.add(pair);
            if (pair.first().fd() == number) {
                return pair.first();
            }
            if (pair.second().fd() == number) {
                return pair.second();
            }
        }
        throw new AssertionError("no new socket on descriptor " + number);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void peerCloseMakesReadReadyAndReadReturnsMinusOne(boolean virtual) throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.second().register(selector, OP_READ);
            Concurrently.Started<Integer> select = Selecting.select(virtual, selector);
            assertThat(select.outcome()).isNotDone();
            pair.first().close();
            assertThat(Concurrently.await(select.outcome())).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_READ);
            assertThat(pair.second().read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void interestChangesTakeEffectAtTheNextSelectionOperation() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.first().register(selector, 0);
            assertThat(selector.selectNow()).as("no interest, though writable").isZero();
            key.interestOps(OP_WRITE);
            assertThat(key.interestOps()).isEqualTo(OP_WRITE);
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_WRITE);

            selector.selectedKeys().clear();
            assertThat(key.interestOpsAnd(~OP_WRITE)).isEqualTo(OP_WRITE);
            assertThat(selector.selectNow()).isZero();
            assertThat(key.interestOpsOr(OP_READ | OP_WRITE)).isZero();
            assertThat(key.interestOps()).isEqualTo(OP_READ | OP_WRITE);
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_WRITE);
            assertThatThrownBy(() -> key.interestOps(SelectionKey.OP_ACCEPT)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aSelectedKeyGainsNewReadyOperationsUntilRemovedFromTheSelectedSet() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.second().register(selector, OP_READ | OP_WRITE);
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_WRITE);
            assertThat(selector.selectNow()).as("nothing new").isZero();

            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(selector.selectNow()).as("OP_READ added to a selected key").isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_READ | OP_WRITE);

            pair.second().read(ByteBuffer.allocate(1));
            assertThat(selector.selectNow()).isZero();
            assertThat(key.readyOps()).as("kept while selected").isEqualTo(OP_READ | OP_WRITE);
            selector.selectedKeys().remove(key);
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).as("set afresh once removed").isEqualTo(OP_WRITE);
        }
    }

    @Test
    void keySetIsUnmodifiableAndSelectedKeySetAllowsRemovalOnly() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.first().register(selector, OP_WRITE);
            assertThatThrownBy(() -> selector.keys().remove(key)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> selector.keys().add(key)).isInstanceOf(UnsupportedOperationException.class);
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThatThrownBy(() -> selector.selectedKeys().add(key)).isInstanceOf(UnsupportedOperationException.class);
            var iterator = selector.selectedKeys().iterator();
            assertThat(iterator.next()).isSameAs(key);
            iterator.remove();
            assertThat(selector.selectedKeys()).isEmpty();
            assertThat(selector.keys()).containsExactly(key);
        }
    }

    @Test
    void selectWithAnActionPassesReadyKeysAndLeavesTheSelectedSetAlone() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey writable = pair.first().register(selector, OP_WRITE);
            SelectionKey readable = pair.second().register(selector, OP_READ);
            List<SelectionKey> seen = new ArrayList<>();
            assertThat(selector.selectNow(seen::add)).isEqualTo(1);
            assertThat(seen).containsExactly(writable);
            assertThat(selector.selectedKeys()).isEmpty();

            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            seen.clear();
            assertThat(selector.select(seen::add, 5_000)).isEqualTo(2);
            assertThat(seen).containsExactlyInAnyOrder(writable, readable);
            seen.clear();
            assertThat(selector.select(seen::add)).isEqualTo(2);
            assertThat(readable.readyOps()).isEqualTo(OP_READ);
            assertThatThrownBy(() -> selector.select(k -> { }, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> selector.select(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aSelectFromTheActionOfASelectThrowsIllegalStateException() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            pair.first().register(selector, OP_WRITE);
            assertThatThrownBy(() -> selector.selectNow(k -> {
                try {
                    selector.selectNow();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void connectInterestIsAcceptedAndNeverReady() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = UnixSocketChannel.openSelector()) {
            SelectionKey key = pair.first().register(selector, OP_CONNECT);
            assertThat(key.interestOps()).isEqualTo(OP_CONNECT);
            assertThat(selector.selectNow()).isZero();
            key.interestOps(OP_CONNECT | OP_WRITE);
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_WRITE);
        }
    }

    @Test
    void theProviderOpensTheSameKindOfSelector() throws Exception {
        try (SocketPair pair = nonBlockingPair(); Selector selector = pair.first().provider().openSelector()) {
            assertThat(selector.provider()).isSameAs(pair.first().provider());
            SelectionKey key = pair.first().register(selector, OP_WRITE);
            assertThat(selector.selectNow()).isEqualTo(1);
            assertThat(key.selector()).isSameAs(selector);
            assertThat(key.channel()).isSameAs(pair.first());
        }
    }

    @Test
    void theProviderRefusesANullProtocolFamilyBeforeRefusingTheChannel() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            SelectorProvider provider = pair.first().provider();
            assertThatThrownBy(() -> provider.openSocketChannel(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> provider.openServerSocketChannel(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> provider.openDatagramChannel(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> provider.openDatagramChannel(StandardProtocolFamily.UNIX))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void virtualThreadsWaitingInSelectLeaveTheirCarriersFree() throws Exception {
        // A selection operation synchronizes on the selector, as Selector specifies, and before JDK 24 a
        // virtual thread that parks inside synchronized keeps its carrier: there each waiting select holds
        // one, as the selector's javadoc says, and the test below would wait for a carrier for ever.
        // wakeupReleasesAVirtualThreadSelectingWhilePinnedToTheOnlyCarrier covers those JDKs.
        assumeTrue(Runtime.version().feature() >= 24,
                "before JDK 24 a virtual thread that selects keeps its carrier (the selector's monitor pins it)");
        // Far more selecting threads than carriers (one per CPU): if a waiting select held its carrier,
        // the extra task could never run.
        int count = 8 * Runtime.getRuntime().availableProcessors();
        List<Selector> selectors = new ArrayList<>();
        List<Concurrently.Started<Integer>> selects = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Selector selector = UnixSocketChannel.openSelector();
                selectors.add(selector);
                selects.add(Selecting.select(true, selector));
            }
            CompletableFuture<String> extra = Concurrently.start(true, () -> "ran");
            assertThat(extra.get(20, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(selects).noneMatch(s -> s.outcome().isDone());
            for (Selector selector : selectors) {
                selector.wakeup();
            }
            for (Concurrently.Started<Integer> select : selects) {
                assertThat(Concurrently.await(select.outcome())).isZero();
            }
        } finally {
            for (Selector selector : selectors) {
                selector.close();
            }
        }
    }
}

package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Races between a selector's users that the selection-key contract settles: a registration racing a
 * cancel of the new key returns the key, and an interest-set change racing close either takes effect
 * or throws {@link CancelledKeyException}, never {@link java.nio.channels.ClosedSelectorException}.
 *
 * <p>Each round releases two threads together; the one that must act inside the other's call spins
 * before the other starts, so that it is running when the window opens. A test runs until the window
 * has been hit in enough rounds (in each of which an implementation with the race would fail with good
 * odds), or up to a round limit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SelectorRaceTest {

    private static final int MAX_ROUNDS = 10_000;
    /** Rounds that hit the window before a test stops. */
    private static final int HITS = 20;
    /**
     * Keys a new selector's key set holds when it first grows: a {@link java.util.concurrent.ConcurrentHashMap}
     * of the default capacity, 16, grows when it reaches three quarters of it.
     */
    private static final int KEYS_BEFORE_GROWTH = 12;

    @Test
    void registerReturnsTheKeyWhenAnotherThreadCancelsItDuringRegistration() throws Exception {
        List<SocketPair> pairs = new ArrayList<>();
        try {
            List<UnixSocketChannel> channels = new ArrayList<>();
            for (int i = 0; i < KEYS_BEFORE_GROWTH / 2; i++) {
                SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC);
                pairs.add(pair);
                channels.add(pair.first());
                channels.add(pair.second());
            }
            UnixSocketChannel channel = channels.removeLast();
            AtomicReference<Selector> current = new AtomicReference<>();
            AtomicInteger cancelledFirst = new AtomicInteger();
            Rounds rounds = new Rounds(() -> {
                // Cancels the key the moment it shows in the key set.
                Selector selector = current.get();
                for (boolean found = false; !found; ) {
                    for (SelectionKey key : selector.keys()) {
                        if (key.channel() == channel) {
                            // 0 until the registration has set the interest: then this cancel came first.
                            int interest = key.interestOps();
                            key.cancel();
                            found = true;
                            cancelledFirst.addAndGet(interest == 0 ? 1 : 0);
                        }
                    }
                }
            });
            try {
                for (int round = 0; round < MAX_ROUNDS && cancelledFirst.get() < HITS; round++) {
                    try (Selector selector = UnixSocketChannel.openSelector()) {
                        // The key this registration adds makes the key set grow, which the registering
                        // thread does after the key is visible to the other thread and before it sets
                        // the interest: the window is then wide enough to be hit in most rounds.
                        for (UnixSocketChannel other : channels) {
                            other.register(selector, SelectionKey.OP_READ);
                        }
                        current.set(selector);
                        rounds.startAndAwaitOther();
                        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                        assertThat(key.channel()).isSameAs(channel);
                        assertThat(key.selector()).isSameAs(selector);
                        rounds.awaitEnd();
                        assertThat(key.isValid()).isFalse();
                    }
                }
            } finally {
                rounds.stop();
            }
            assertThat(cancelledFirst.get()).as("rounds that cancelled the key before its interest was set").isPositive();
        } finally {
            for (SocketPair pair : pairs) {
                pair.close();
            }
        }
    }

    @Test
    void interestOpsRacingCloseTakesEffectOrThrowsCancelledKeyException() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC)) {
            UnixSocketChannel channel = pair.first();
            AtomicReference<SelectionKey> current = new AtomicReference<>();
            AtomicInteger changedWhileClosing = new AtomicInteger();
            Rounds rounds = new Rounds(() -> {
                SelectionKey key = current.get();
                boolean counted = false;
                try {
                    // Until close invalidates the key: the last calls run while the selector closes.
                    for (int i = 0; ; i++) {
                        key.interestOps((i & 1) == 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                        key.interestOpsOr(SelectionKey.OP_READ);
                        key.interestOpsAnd(SelectionKey.OP_WRITE);
                        if (!counted && !key.selector().isOpen()) {
                            counted = true;
                            changedWhileClosing.incrementAndGet();
                        }
                    }
                } catch (CancelledKeyException expected) {
                    // What the contract allows once close has deregistered the key.
                }
            });
            try {
                for (int round = 0; round < MAX_ROUNDS && changedWhileClosing.get() < HITS; round++) {
                    try (Selector selector = UnixSocketChannel.openSelector()) {
                        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                        current.set(key);
                        rounds.startAndAwaitOther();
                        selector.close();
                        rounds.awaitEnd();
                        assertThat(key.isValid()).isFalse();
                        assertThat(channel.keyFor(selector)).isNull();
                    }
                }
            } finally {
                rounds.stop();
            }
            assertThat(changedWhileClosing.get()).as("rounds that changed interest while closing").isPositive();
        }
    }

    /**
     * A platform thread that runs {@code action} once a round, released together with the test's
     * thread; whatever the action throws fails the round.
     */
    private static final class Rounds {
        private final CyclicBarrier barrier = new CyclicBarrier(2);
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Rounds(Runnable action) {
            Thread.ofPlatform().name("race-other").daemon().start(() -> {
                try {
                    for (;;) {
                        barrier.await(30, TimeUnit.SECONDS);
                        running.set(true);
                        try {
                            action.run();
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        }
                        barrier.await(30, TimeUnit.SECONDS);
                    }
                } catch (BrokenBarrierException | InterruptedException | TimeoutException e) {
                    // Stopped, or the test's thread has gone.
                }
            });
        }

        /** Starts a round and returns once the other thread runs its action. */
        void startAndAwaitOther() throws Exception {
            running.set(false);
            barrier.await(30, TimeUnit.SECONDS);
            while (!running.get()) {
                Thread.onSpinWait();
            }
        }

        /** Waits for the other thread to finish the round, and fails if its action threw. */
        void awaitEnd() throws Exception {
            barrier.await(30, TimeUnit.SECONDS);
            Throwable t = failure.get();
            if (t != null) {
                throw new AssertionError("the other thread failed", t);
            }
        }

        /** Ends the other thread once it waits for a round that will not come. */
        void stop() {
            barrier.reset();
        }
    }
}

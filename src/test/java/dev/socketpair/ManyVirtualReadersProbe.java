package dev.socketpair;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run by {@link ManyVirtualReadersTest} in a child JVM with two carrier threads: thousands of virtual
 * threads block reading, one more virtual thread must still get work done, then every reader is
 * released and every echo round trip completes. The test runs it with a JFR recording of every
 * virtual thread that parks while pinned.
 */
public final class ManyVirtualReadersProbe {

    private ManyVirtualReadersProbe() {
    }

    public static void main(String[] args) throws Exception {
        // Loading and initialising a class pins a virtual thread that waits for another one doing it;
        // that is the JVM's, once per class: one virtual thread walks the read and write paths first.
        try (SocketPair pair = SocketPair.open()) {
            Thread echo = Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(1);
                try {
                    pair.second().read(b);
                    pair.second().write(b.flip());
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            while (echo.getState() != Thread.State.WAITING && echo.isAlive()) {
                Thread.onSpinWait();
            }
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            pair.first().read(ByteBuffer.allocate(1));
            echo.join();
        }
        run(Integer.parseInt(args[0]));
    }

    private static void run(int count) throws Exception {
        List<SocketPair> pairs = new ArrayList<>(count);
        CountDownLatch reading = new CountDownLatch(2 * count);
        AtomicInteger roundTrips = new AtomicInteger();
        List<Thread> threads = new ArrayList<>(2 * count);
        for (int i = 0; i < count; i++) {
            SocketPair pair = SocketPair.open();
            pairs.add(pair);
            // The second end echoes what it reads; the first end's reader counts the echo.
            threads.add(Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(1);
                try {
                    reading.countDown();
                    pair.second().read(b);
                    pair.second().write(b.flip());
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }));
            threads.add(Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(1);
                try {
                    reading.countDown();
                    if (pair.first().read(b) == 1) {
                        roundTrips.incrementAndGet();
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }));
        }
        if (!reading.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("readers did not start");
        }
        System.out.println("readers " + 2 * count);

        CompletableFuture<String> extra = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> extra.complete("done"));
        System.out.println("extra work " + extra.get(30, TimeUnit.SECONDS));

        for (SocketPair pair : pairs) {
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
        }
        for (Thread t : threads) {
            if (!t.join(Duration.ofSeconds(60))) {
                throw new AssertionError("a reader never finished");
            }
        }
        System.out.println("round trips " + roundTrips.get());
        for (SocketPair pair : pairs) {
            pair.close();
        }
    }
}

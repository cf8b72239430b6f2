package dev.socketpair.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Platform threads that do nothing but wait until they are closed: a JVM with many threads alive, as a
 * server has, for work whose cost might grow with the number of threads.
 */
final class IdleThreads implements AutoCloseable {

    private final CountDownLatch end = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code count} threads and returns once all of them are waiting. */
    IdleThreads(int count) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            threads.add(Thread.ofPlatform().name("idle-" + i).daemon().start(() -> {
                started.countDown();
                try {
                    end.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        started.await();
    }

    /** Ends every thread and waits for them to finish. */
    @Override
    public void close() throws InterruptedException {
        end.countDown();
        for (Thread t : threads) {
            t.join();
        }
    }
}

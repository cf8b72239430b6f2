package dev.socketpair;

import dev.socketpair.internal.ReadinessSet;

import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a selection operation on a thread of a given kind, and knows when that thread waits in it. */
final class Selecting {

    private Selecting() {
    }

    /** Starts {@code task} on a new platform or virtual thread and returns once it waits in a select. */
    static <T> Concurrently.Started<T> start(boolean virtual, Concurrently.Task<T> task) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<T> outcome = Concurrently.start(virtual, () -> {
            thread.complete(Thread.currentThread());
            return task.run();
        });
        Thread running = thread.get(10, TimeUnit.SECONDS);
        awaitSelecting(running, outcome);
        return new Concurrently.Started<>(running, outcome);
    }

    /** Starts {@code selector.select()} and returns once the thread waits in it. */
    static Concurrently.Started<Integer> select(boolean virtual, Selector selector) throws Exception {
        return start(virtual, selector::select);
    }

    /**
     * Waits until {@code thread} waits inside a selection operation, or has finished: a platform thread
     * sleeps in the kernel in epoll_wait(2) on an epoll set, or in poll(2), a virtual thread is parked on
     * a selector's readiness set until it has events. Whether it already waits or is about to does not
     * matter to the tests: what releases it (a write, wakeup, close, interrupt) lasts until it is seen.
     */
    static void awaitSelecting(Thread thread, CompletableFuture<?> outcome) {
        ThreadStates.await(thread, "waited in select", () -> outcome.isDone() || (thread.isVirtual()
                ? ThreadStates.parkedOn(thread) instanceof ReadinessSet
                : ThreadStates.sleepingInCallOn(thread, ThreadStates.openOn("anon_inode:[eventpoll]"))
                        || ThreadStates.sleepingInPoll(thread)));
    }
}

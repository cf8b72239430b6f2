package dev.socketpair;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs a task on a thread of a given kind and hands back its outcome. */
final class Concurrently {

    interface Task<T> {
        T run() throws Exception;
    }

    private static final java.util.Set<String> BLOCKING_FRAMES = java.util.Set.of("await", "receive", "send");

    private Concurrently() {
    }

    /** Starts {@code task} on a new platform or virtual thread. */
    static <T> CompletableFuture<T> start(boolean virtual, Task<T> task) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Runnable body = () -> {
            try {
                outcome.complete(task.run());
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        };
        if (virtual) {
            Thread.ofVirtual().name("test-virtual").start(body);
        } else {
            Thread.ofPlatform().name("test-platform").daemon().start(body);
        }
        return outcome;
    }

    /** A task started on its own thread, and that thread. */
    record Started<T>(Thread thread, CompletableFuture<T> outcome) {
    }

    /** Starts {@code task} and returns once its thread waits inside a read or write of a channel. */
    static <T> Started<T> startBlocked(boolean virtual, Task<T> task) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<T> outcome = start(virtual, () -> {
            thread.complete(Thread.currentThread());
            return task.run();
        });
        Thread running = thread.get(10, TimeUnit.SECONDS);
        awaitBlocked(running);
        return new Started<>(running, outcome);
    }

    static <T> T await(CompletableFuture<T> outcome) throws Exception {
        return outcome.get(30, TimeUnit.SECONDS);
    }

    /**
     * Runs {@code operation}, which an interrupt should end, and says how it ended: "interrupted" if it
     * threw ClosedByInterruptException with the thread's interrupt status still set, "status cleared"
     * if it threw that with the status cleared, or {@code completed} if it returned.
     */
    static String interruptOutcome(Task<?> operation, String completed) throws Exception {
        try {
            operation.run();
            return completed;
        } catch (java.nio.channels.ClosedByInterruptException e) {
            return Thread.currentThread().isInterrupted() ? "interrupted" : "status cleared";
        }
    }

    /** Waits for a task that must fail, and returns what it threw. */
    static Throwable failureOf(CompletableFuture<?> outcome) throws Exception {
        try {
            Object value = await(outcome);
            throw new AssertionError("completed with " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /**
     * Waits until {@code thread} has reached the blocking part of a channel read or write: a platform
     * thread's recv or send (it shows RUNNABLE in native code, so its stack tells where it is), a
     * virtual thread's park. Whether it is already blocked or just about to block does not matter to
     * the tests: a close, shutdown or interrupt that comes first leaves the socket shut down or the
     * channel closed, and the thread does not stay blocked.
     */
    static void awaitBlocked(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (StackTraceElement frame : thread.getStackTrace()) {
                if (BLOCKING_FRAMES.contains(frame.getMethodName())
                        && frame.getClassName().endsWith("UnixSocketChannel")) {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(thread + " never blocked");
    }
}

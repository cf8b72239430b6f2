package dev.socketpair;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a task on a thread of a given kind and hands back its outcome. */
final class Concurrently {

    interface Task<T> {
        T run() throws Exception;
    }

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

    static <T> T await(CompletableFuture<T> outcome) throws Exception {
        return outcome.get(30, TimeUnit.SECONDS);
    }

    /** Waits until {@code thread} is parked or blocked in native code: in a read or write that waits. */
    static void awaitBlocked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Thread.State state = thread.getState();
            // A platform thread in poll(2) shows RUNNABLE; the stack tells where it is.
            for (StackTraceElement frame : thread.getStackTrace()) {
                if (frame.getMethodName().startsWith("await") && frame.getClassName().endsWith("UnixSocketChannel")) {
                    if (state != Thread.State.NEW) {
                        Thread.sleep(50);
                        return;
                    }
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(thread + " never blocked");
    }
}

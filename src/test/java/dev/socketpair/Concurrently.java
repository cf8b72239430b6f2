package dev.socketpair;

import dev.socketpair.internal.SocketDescriptor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs a task on a thread of a given kind and hands back its outcome. */
final class Concurrently {

    interface Task<T> {
        T run() throws Exception;
    }

    private Concurrently() {
    }

    /**
     * Starts {@code task} on a new platform or virtual thread. A platform thread records its kernel task
     * id first, for {@link #awaitBlocked} and the other waits of {@link ThreadStates}.
     */
    static <T> CompletableFuture<T> start(boolean virtual, Task<T> task) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Runnable body = () -> {
            try {
                ThreadStates.recordTaskId();
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
     * Waits until {@code thread}, started here, waits inside a channel read or write: a platform thread
     * sleeps in the kernel in a system call on a socket (the blocking recv or send), a virtual thread is
     * parked on a channel's descriptor until it is ready. A platform thread that waits in poll(2) (when
     * another holder of the socket set O_NONBLOCK under a blocking channel) names its descriptor in
     * memory, not in the call's arguments, and is not recognised.
     */
    static void awaitBlocked(Thread thread) {
        ThreadStates.await(thread, "blocked in a channel read or write", () -> thread.isVirtual()
                ? ThreadStates.parkedOn(thread, SocketDescriptor.class)
                : ThreadStates.sleepingInCallOn(thread, "socket:"));
    }

    /** Waits until {@code thread} waits for a lock (one of a channel's, say) that another thread holds. */
    static void awaitWaitingForLock(Thread thread) {
        ThreadStates.await(thread, "waited for a lock", () -> ThreadStates.waitingForLock(thread));
    }
}

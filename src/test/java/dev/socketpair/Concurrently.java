package dev.socketpair;

import dev.socketpair.internal.SocketDescriptor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * Runs a task on a thread of a given kind and hands back its outcome; knows when that thread waits in
 * a channel's read or write, or for a lock, from what the JVM and the kernel report ({@link ThreadStates}).
 */
final class Concurrently {

    private static final Socket ANY_SOCKET = new Socket(descriptor -> true, fd -> true);

    /**
     * The sockets a wait counts on: a virtual thread parks on a channel's {@link SocketDescriptor}, a
     * platform thread names the descriptor number in its system call.
     */
    private record Socket(Predicate<SocketDescriptor> descriptor, IntPredicate fd) {

        static Socket of(UnixSocketChannel channel) {
            SocketDescriptor descriptor = channel.descriptor();
            int fd = channel.fd();
            return new Socket(parked -> parked == descriptor, number -> number == fd);
        }
    }

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
        return startBlockedOn(virtual, ANY_SOCKET, task);
    }

    /** Starts {@code task} and returns once its thread waits inside a read or write of {@code channel}. */
    static <T> Started<T> startBlocked(boolean virtual, UnixSocketChannel channel, Task<T> task) throws Exception {
        return startBlockedOn(virtual, Socket.of(channel), task);
    }

    private static <T> Started<T> startBlockedOn(boolean virtual, Socket socket, Task<T> task) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<T> outcome = start(virtual, () -> {
            thread.complete(Thread.currentThread());
            return task.run();
        });
        Thread running = thread.get(10, TimeUnit.SECONDS);
        ThreadStates.await(running, outcome, "blocked in a channel read or write",
                () -> blockedInChannelCall(running, socket));
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
        ThreadStates.await(thread, "blocked in a channel read or write", () -> blockedInChannelCall(thread, ANY_SOCKET));
    }

    /**
     * Whether {@code thread} waits now inside a read or write of a socket that {@code socket} accepts:
     * a virtual thread parked on that socket's {@link SocketDescriptor}, a platform thread asleep in a
     * system call on it. A thread that runs, sleeps, or waits for anything else (a lock, a monitor, a
     * pipe, another socket) does not.
     */
    private static boolean blockedInChannelCall(Thread thread, Socket socket) {
        if (thread.isVirtual()) {
            return ThreadStates.parkedOn(thread) instanceof SocketDescriptor descriptor && socket.descriptor().test(descriptor);
        }
        return ThreadStates.sleepingInCallOn(thread, fd -> socket.fd().test(fd) && ProcFd.isOpenSocket(fd));
    }

    /** Waits until {@code thread} waits for a lock (one of a channel's, say) that another thread holds. */
    static void awaitWaitingForLock(Thread thread) {
        ThreadStates.await(thread, "waited for a lock", () -> ThreadStates.waitingForLock(thread));
    }
}

package dev.socketpair;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A task on a platform or virtual thread of its own, and the means to tell from outside that it waits
 * inside a blocking call, from what the system shows rather than from the thread's stack: a virtual
 * thread is parked (state {@link Thread.State#WAITING}), a platform thread is blocked in a system call
 * on a given descriptor ({@code /proc/self/task/TID/syscall}, proc(5), whose second field is the
 * call's first argument).
 */
final class WaitingThread<T> {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETTID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));

    private final Thread thread;
    private final int tid;
    private final CompletableFuture<T> outcome;

    private WaitingThread(Thread thread, int tid, CompletableFuture<T> outcome) {
        this.thread = thread;
        this.tid = tid;
        this.outcome = outcome;
    }

    /** Starts {@code task} on a new thread of the kind given; returns once the thread is running it. */
    static <T> WaitingThread<T> start(boolean virtual, Callable<T> task) throws Exception {
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Runnable body = () -> {
            try {
                tid.complete(virtual ? -1 : gettid());
                outcome.complete(task.call());
            } catch (Throwable t) {
                tid.complete(-1);
                outcome.completeExceptionally(t);
            }
        };
        Thread thread = virtual ? Thread.ofVirtual().name("waiting-virtual").unstarted(body)
                : Thread.ofPlatform().name("waiting-platform").daemon().unstarted(body);
        thread.start();
        return new WaitingThread<>(thread, tid.get(10, TimeUnit.SECONDS), outcome);
    }

    /**
     * Returns once the thread waits in its task: a virtual thread parked, a platform thread blocked in
     * a system call whose first argument is {@code fd}.
     *
     * @throws AssertionError if the task ends, or the thread does not wait within 10 seconds
     */
    WaitingThread<T> awaitWaitingOn(int fd) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (outcome.isDone()) {
                throw new AssertionError("the task ended instead of waiting: " + outcome);
            }
            if (thread.isVirtual() ? thread.getState() == Thread.State.WAITING : inSystemCallOn(fd)) {
                return this;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(thread + " never waited on descriptor " + fd);
    }

    /** Whether the platform thread is blocked in a system call whose first argument is {@code fd}. */
    private boolean inSystemCallOn(int fd) throws IOException {
        // "running", "-1 sp pc" outside a system call, or "nr arg0 ... arg5 sp pc" inside one.
        String[] fields = Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).trim().split(" ");
        return fields.length > 2 && !fields[0].equals("running") && !fields[0].equals("-1")
                && fields[1].startsWith("0x") && Long.parseUnsignedLong(fields[1].substring(2), 16) == fd;
    }

    /** Waits for the task to fail and returns what it threw. */
    Throwable failure() throws Exception {
        try {
            T value = outcome.get(20, TimeUnit.SECONDS);
            throw new AssertionError("completed with " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** Waits for the task to complete and returns its result. */
    T result() throws Exception {
        return outcome.get(20, TimeUnit.SECONDS);
    }

    private static int gettid() throws Throwable {
        return (int) GETTID.invokeExact();
    }
}

package dev.socketpair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;

/**
 * What a thread waits for, as the JVM and the kernel report it, so that a test can wait until another
 * thread has reached a wait without knowing how the code it runs is written:
 * <ul>
 * <li>a virtual thread (or a platform thread waiting for a lock) is parked, and
 *     {@link LockSupport#getBlocker} names the object it parked on;</li>
 * <li>a platform thread blocked in a system call sleeps in the kernel: /proc/self/task/<i>tid</i>/stat
 *     shows state S, and /proc/self/task/<i>tid</i>/syscall the call's arguments, the first of which is
 *     the descriptor for every call a channel or selector blocks in (recvfrom, sendto, recvmsg, sendmsg,
 *     epoll_wait) but poll, which /proc/self/task/<i>tid</i>/wchan tells by the kernel function the
 *     thread sleeps in. No syscall number is read: they differ between architectures.</li>
 * </ul>
 * Each is read twice around the state, and only the same answer both times counts: a thread that
 * moves on between the reads is not taken for waiting. The kernel knows a thread by its task id, which
 * the JVM does not give: {@link #recordTaskId()} has a platform thread note its own, as
 * {@link Concurrently} does for every thread it starts.
 */
final class ThreadStates {

    private static final Map<Thread, Long> TASK_IDS = Collections.synchronizedMap(new WeakHashMap<>());

    private ThreadStates() {
    }

    /** Notes the kernel's task id of the current platform thread, from /proc/thread-self. */
    static void recordTaskId() {
        if (Thread.currentThread().isVirtual()) {
            return;
        }
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));   // "pid/task/tid"
            TASK_IDS.put(Thread.currentThread(), Long.parseLong(self.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits up to 10 seconds for {@code condition}, failing with what {@code thread} never did. */
    static void await(Thread thread, String what, BooleanSupplier condition) {
        await(thread, null, what, condition);
    }

    /**
     * Waits up to 10 seconds for {@code condition}, failing with what {@code thread} never did, and at
     * once if {@code task} (the task the thread runs; null if unknown) ends first, with what it threw.
     */
    static void await(Thread thread, CompletableFuture<?> task, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (task != null && task.isDone()) {
                throw new AssertionError(thread + " ended instead of having " + what + ": " + task,
                        task.isCompletedExceptionally() ? task.exceptionNow() : null);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(thread + " never " + what + " (state " + thread.getState() + ", blocker "
                        + LockSupport.getBlocker(thread) + ")");
            }
            Thread.yield();
        }
    }

    /** The object {@code thread} is parked on, or null if it is not parked (or parked on no object). */
    static Object parkedOn(Thread thread) {
        Object before = LockSupport.getBlocker(thread);
        Thread.State state = thread.getState();
        Object after = LockSupport.getBlocker(thread);
        boolean parked = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
        return parked && before == after ? after : null;
    }

    /**
     * Whether {@code thread} is parked waiting for a lock (a {@link java.util.concurrent.locks.Lock} or
     * any synchronizer built on {@link AbstractQueuedSynchronizer}), queued behind its holder.
     */
    static boolean waitingForLock(Thread thread) {
        return thread.getState() == Thread.State.WAITING
                && LockSupport.getBlocker(thread) instanceof AbstractQueuedSynchronizer lock
                && lock.isQueued(thread);
    }

    /**
     * Whether platform {@code thread} sleeps in the kernel inside a system call whose first argument is
     * a descriptor that {@code descriptor} accepts.
     */
    static boolean sleepingInCallOn(Thread thread, IntPredicate descriptor) {
        SleepingCall sleeping = sleepingCall(thread);
        if (sleeping == null) {
            return false;
        }
        long first = Long.parseUnsignedLong(sleeping.arguments()[1].substring(2), 16);
        return first >= 0 && first <= Integer.MAX_VALUE && descriptor.test((int) first);
    }

    /**
     * Whether platform {@code thread} sleeps in the kernel inside poll(2), which names its descriptors in
     * memory, not in the call's arguments: /proc/self/task/<i>tid</i>/wchan names the kernel function
     * the thread sleeps in, {@code poll_schedule_timeout} for poll(2) and ppoll(2).
     */
    static boolean sleepingInPoll(Thread thread) {
        SleepingCall sleeping = sleepingCall(thread);
        return sleeping != null && sleeping.kernelFunction().startsWith("poll_schedule_timeout");
    }

    /** A system call a thread sleeps in: its line of /proc/.../syscall, split, and its wchan. */
    private record SleepingCall(String[] arguments, String kernelFunction) {
    }

    /** The system call platform {@code thread} sleeps in throughout the reads, or null. */
    private static SleepingCall sleepingCall(Thread thread) {
        Long tid = TASK_IDS.get(thread);
        if (tid == null) {
            throw new IllegalArgumentException(thread + " did not record its task id");
        }
        Path task = Path.of("/proc/self/task", tid.toString());
        // "nr arg0 ... arg5 sp pc" while in a call; "running", or "-1 sp pc" outside one. The same line
        // before and after the state, stack and program counter included, is one call that slept throughout.
        String before = read(task.resolve("syscall"));
        String stat = read(task.resolve("stat"));
        String wchan = read(task.resolve("wchan"));
        String after = read(task.resolve("syscall"));
        if (before == null || stat == null || wchan == null || !before.equals(after)) {
            return null;   // ended, or moved on
        }
        String[] call = before.trim().split(" ");
        if (call.length < 8) {
            return null;
        }
        // "tid (comm) S ...": comm may hold spaces and parentheses.
        if (stat.charAt(stat.lastIndexOf(')') + 2) != 'S') {
            return null;
        }
        return new SleepingCall(call, wchan.trim());
    }

    /** Accepts a descriptor whose /proc/self/fd target starts with {@code prefix} ("socket:", "anon_inode:[eventpoll]"). */
    static IntPredicate openOn(String prefix) {
        return fd -> {
            String target = ProcFd.target(fd);
            return target != null && target.startsWith(prefix);
        };
    }

    /** The file's text, or null once the thread has ended. */
    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // A thread that ends between the open and the read fails the read with ESRCH ("No such
            // process"), by which time its task directory is gone.
            if (Files.notExists(file.getParent())) {
                return null;
            }
            throw new UncheckedIOException(e);
        }
    }
}

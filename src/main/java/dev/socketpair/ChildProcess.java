package dev.socketpair;

import dev.socketpair.internal.ChildProcesses;
import dev.socketpair.internal.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A child process started by {@link ChildProcessBuilder}: a {@link Process} whose pid this class alone
 * reaps.
 *
 * <p>One daemon thread per child waits for its exit with {@code waitid(WEXITED | WNOWAIT)}, which leaves
 * the child a zombie, then takes {@link #lock} and reaps it. {@link #destroy()} and
 * {@link #destroyForcibly()} signal only under the same lock and only while the child is not reaped, so
 * a signal can reach the child or its zombie, never a process that has since been given the same pid.
 * The JDK's own reaper waits only for the processes it started, and a {@link ProcessHandle} for this pid
 * waits with {@code WNOWAIT} too: neither takes the exit status away.
 */
final class ChildProcess extends Process {

    private final int pid;

    // Guards reaped, handle, and exitValue while they change; signals are sent under it.
    private final ReentrantLock lock = new ReentrantLock();
    private boolean reaped;
    // The JDK's handle, taken only while the child is not reaped, so that the pid is still the child's:
    // when the child starts, else on the first toHandle(), else by the reaper before it reaps.
    private ProcessHandle handle;
    private volatile int exitValue;
    private volatile IllegalStateException failure;
    private final CountDownLatch exited = new CountDownLatch(1);
    private final CompletableFuture<Process> exit = new CompletableFuture<>();

    /** Adopts the just-started, not yet reaped, child {@code pid} and starts its reaper thread. */
    ChildProcess(int pid) {
        this.pid = pid;
        this.handle = ProcessHandle.of(pid).orElse(null);
        Thread.ofPlatform().daemon().name("socketpair-reaper-" + pid).start(this::reap);
    }

    private void reap() {
        try {
            int r = ChildProcesses.awaitExit(pid);
            if (r < 0 && r != -Errno.ECHILD) {
                throw new AssertionError("waitid(" + pid + ") failed with " + Errno.name(-r));
            }
            lock.lock();
            try {
                if (r == 0) {
                    takeHandle();
                }
                int value = r == 0 ? ChildProcesses.reap(pid) : 0;
                if (value == -Errno.ECHILD) {
                    // Reaped by code outside this library (waitpid(-1), or SIGCHLD ignored): the status
                    // is lost; the JDK reports 0 then too.
                    value = 0;
                } else if (value < 0) {
                    throw new AssertionError("waitid(" + pid + ", WNOHANG) failed: " + value);
                }
                exitValue = value;
                reaped = true;
            } finally {
                lock.unlock();
            }
        } catch (Throwable t) {
            // Cannot happen; if it does, nobody may wait for ever, and nothing signals the pid again:
            // waiters get the failure instead of an exit value.
            IllegalStateException failed =
                    new IllegalStateException("the exit status of process " + pid + " could not be read", t);
            lock.lock();
            try {
                reaped = true;
            } finally {
                lock.unlock();
            }
            failure = failed;
            exited.countDown();
            exit.completeExceptionally(failed);
            throw t;
        }
        // In this order: whoever sees the future complete sees the process not alive.
        exited.countDown();
        exit.complete(this);
    }

    /** The exit value, once {@link #exited} is open. */
    private int exitValueOrFailure() {
        if (failure != null) {
            throw failure;
        }
        return exitValue;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns an empty stream: this class makes no pipes. Place a socket at descriptor 1 with
     * {@link ChildProcessBuilder#place(int, UnixSocketChannel)} to read what the child writes.
     */
    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns an empty stream: this class makes no pipes. Place a socket at descriptor 2 to read what
     * the child writes there.
     */
    @Override
    public InputStream getErrorStream() {
        return InputStream.nullInputStream();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns a stream whose writes throw {@code IOException("Stream closed")}, as the JDK's for an
     * inherited standard input: this class makes no pipes. Place a socket at descriptor 0 to write to
     * the child.
     */
    @Override
    public OutputStream getOutputStream() {
        return ClosedOutputStream.INSTANCE;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Blocks until the child has exited and has been reaped. Safe for use by any number of threads.
     */
    @Override
    public int waitFor() throws InterruptedException {
        exited.await();
        return exitValueOrFailure();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Blocks for at most the given time. Safe for use by any number of threads.
     */
    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return exited.await(timeout, unit);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A child ended by a signal reports 128 plus the signal's number, as the JDK does. Does not
     * block.
     */
    @Override
    public int exitValue() {
        if (exited.getCount() != 0) {
            throw new IllegalThreadStateException("process " + pid + " has not exited");
        }
        return exitValueOrFailure();
    }

    /**
     * {@inheritDoc}
     *
     * <p>True until the child has exited and has been reaped. Does not block.
     */
    @Override
    public boolean isAlive() {
        return exited.getCount() != 0;
    }

    /**
     * Sends {@code SIGTERM} to the child, unless it has exited already. Does not wait for it to end.
     * Errors of kill(2) are ignored (a child that runs a set-user-ID program may refuse signals).
     */
    @Override
    public void destroy() {
        signal(ChildProcesses.sigterm());
    }

    /**
     * Sends {@code SIGKILL} to the child, unless it has exited already. Does not wait for it to end.
     *
     * @return this process
     */
    @Override
    public Process destroyForcibly() {
        signal(ChildProcesses.sigkill());
        return this;
    }

    private void signal(int signal) {
        lock.lock();
        try {
            if (!reaped) {
                ChildProcesses.kill(pid, signal);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@return true: {@link #destroy()} sends SIGTERM, which the child may handle} */
    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    /** {@return the child's pid} */
    @Override
    public long pid() {
        return pid;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The handle is the JDK's, for this child and no process that later gets its pid; it reports the
     * child alive until this class has reaped it, and its {@code onExit()} completes after that. The
     * JDK makes a handle from /proc/[pid]/stat, which takes a free descriptor: the handle is taken when
     * the child starts, or, if this process had no descriptor free then, by the first call of this
     * method, or before the child is reaped, whichever comes first. Does not block.
     *
     * @throws UnsupportedOperationException if no handle could be taken: this process had no descriptor
     *                                       free whenever one was tried; a call once descriptors are free
     *                                       succeeds, unless the child was reaped in the meantime
     */
    @Override
    public ProcessHandle toHandle() {
        boolean tooLate;
        lock.lock();
        try {
            tooLate = reaped;
            if (!tooLate) {
                takeHandle();
            }
            if (handle != null) {
                return handle;
            }
        } finally {
            lock.unlock();
        }
        throw new UnsupportedOperationException("no ProcessHandle for pid " + pid + ": /proc/" + pid
                + "/stat could not be read (no descriptor free?) "
                + (tooLate ? "before the child was reaped, and its pid may now be another process's"
                           : "now; try again once descriptors are free"));
    }

    /**
     * Asks the JDK for the child's handle if there is none yet; under {@link #lock}, while the child is
     * not reaped (even a zombie has one).
     */
    private void takeHandle() {
        if (handle == null) {
            handle = ProcessHandle.of(pid).orElse(null);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each call returns a new future, completed by the reaper thread once the child is reaped;
     * cancelling it does not affect the process or other futures.
     */
    @Override
    public CompletableFuture<Process> onExit() {
        return exit.copy();
    }

    @Override
    public String toString() {
        return "ChildProcess[pid=" + pid + ", exitValue="
                + (isAlive() ? "\"not exited\"" : failure != null ? "\"unknown\"" : exitValue) + "]";
    }

    /** Standard input the parent cannot write: no pipe exists. */
    private static final class ClosedOutputStream extends OutputStream {
        static final ClosedOutputStream INSTANCE = new ClosedOutputStream();

        @Override
        public void write(int b) throws IOException {
            throw new IOException("Stream closed");
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            throw new IOException("Stream closed");
        }
    }
}

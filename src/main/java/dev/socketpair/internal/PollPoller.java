package dev.socketpair.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link Poller}'s backend where the system has no epoll: one platform thread waits in poll(2) on
 * every descriptor a virtual thread waits on, and on a {@link WakeupPair} through which a new waiter
 * gets its descriptor into the poll at once.
 *
 * <p>The watch list ({@link PollList}) holds each descriptor once, with the directions waited on.
 * {@link #arm} sets the waiter and adds the direction, both under the list's lock, and wakes the poll
 * thread if a poll is in progress. Each round, the poll thread polls the list without a timeout, and
 * then, under the lock, unparks the waiter of each ready direction and takes the direction out of the
 * list, so that a readiness the waiter has yet to consume does not end the next poll at once. A
 * direction whose waiter left without it becoming ready (woken by close or shutdown, or spuriously)
 * stays until it is ready or forgotten: in the poll it costs a slot and nothing else.
 *
 * <p>poll(2) holds every file it waits on until it returns, so {@link #forget} (before the owner's
 * close(2)) takes the descriptor out of the list and, if a poll of it is in progress, wakes the poll
 * thread and waits for the end of that round: the close then ends the socket at once, and nothing the
 * old poll saw under the number can wake a waiter of a later socket with that number.
 *
 * <p>The poll thread is a platform thread: it unparks waiters directly, even one pinned to its carrier.
 * A round costs one poll(2) over every descriptor waited on. Made by {@link Poller#start()}; lives as long
 * as the process.
 */
final class PollPoller implements PollerBackend {

    /** The outcome of {@link #open()}: the poller, or the call that failed and its errno. */
    record Opened(PollPoller poller, String syscall, int errno) {
    }

    private final OwnedDescriptors.Owner owner = new OwnedDescriptors.Owner("the virtual-thread poller");
    private final WakeupPair wake;
    // Set and taken under the list's lock.
    private final Poller.Waiters readers = new Poller.Waiters();
    private final Poller.Waiters writers = new Poller.Waiters();
    private final PollList list;
    private final PollList.ReadyEntry releaser = this::release;

    private PollPoller(int wakeReader, int wakeWriter) {
        OwnedDescriptors.register(wakeReader, owner);
        OwnedDescriptors.register(wakeWriter, owner);
        this.wake = new WakeupPair(wakeReader, wakeWriter, Arena.ofAuto());
        this.list = new PollList(wakeReader);
    }

    /**
     * Makes the wake-up pair and starts the poll thread. If the pair cannot be made (EMFILE, say), nothing
     * is left behind.
     *
     * @throws OutOfMemoryError if no thread can be started; the pair is closed again
     */
    static Opened open() {
        SocketControl.OpenedPair pair = WakeupPair.open();
        if (pair.failedCall() != null) {
            return new Opened(null, pair.failedCall(), pair.errno());
        }
        PollPoller poller = new PollPoller(pair.first(), pair.second());
        try {
            Thread.ofPlatform().name("socketpair-poller").daemon().start(poller::pollLoop);
        } catch (Throwable noThread) {
            poller.wake.close();
            OwnedDescriptors.close(pair.first(), poller.owner);
            OwnedDescriptors.close(pair.second(), poller.owner);
            throw noThread;
        }
        return new Opened(poller, null, 0);
    }

    private Poller.Waiters waiters(boolean reading) {
        return reading ? readers : writers;
    }

    private static short direction(boolean reading) {
        return reading ? PollArray.READ : PollArray.WRITE;
    }

    /** Registers the current thread, as {@link PollerBackend#arm} says. @return 0: there is no call that can fail */
    @Override
    public int arm(int fd, boolean reading, NativeScratch scratch) {
        boolean wakePoll;
        list.lock.lock();
        try {
            // The waiter is set under the lock, not before taking it: the unpark that a round ending
            // meanwhile would give it could be taken by the lock's own wait, and then its park would
            // wait for ever.
            waiters(reading).set(fd, Thread.currentThread());
            wakePoll = list.add(fd, direction(reading)) && list.polling();
        } finally {
            list.lock.unlock();
        }
        if (wakePoll) {
            wakePollThread();
        }
        return 0;
    }

    @Override
    public void disarm(int fd, boolean reading) {
        waiters(reading).remove(fd, Thread.currentThread());
    }

    /** As a wait to read: the poll thread is a platform thread. @return 0 */
    @Override
    public int armDirect(int fd, NativeScratch scratch) {
        return arm(fd, true, scratch);
    }

    @Override
    public void disarmDirect(int fd) {
        disarm(fd, true);
    }

    @Override
    public void wakeup(int fd, boolean reading) {
        Thread waiter = waiters(reading).take(fd);
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    /** Takes {@code fd} out of the list, and out of a poll in progress, as the class comment says. */
    @Override
    public void forget(int fd) {
        list.lock.lock();
        try {
            if (list.removeAll(fd) && list.ignoreInPoll(fd)) {
                wakePollThread();
                list.awaitPollReturned();
            }
        } finally {
            list.lock.unlock();
        }
    }

    private void wakePollThread() {
        int r = wake.wakeup();
        if (r < 0) {
            throw new AssertionError("send on the poller's own wake-up socket failed: " + Errno.name(-r));
        }
    }

    /** Polls round after round; runs in the poll thread for the life of the process. */
    private void pollLoop() {
        MemorySegment capture = Syscalls.allocateErrnoCapture(Arena.ofAuto());
        for (;;) {
            int count = list.prepare();
            int n = Syscalls.poll(list.array(), count, -1, capture);
            if (n < 0 && n != -Errno.EINTR) {
                throw new AssertionError("poll: " + Errno.name(-n));
            }
            list.lock.lock();
            try {
                list.forEachReady(count, n, releaser);
                // After the releases: a forget that waits for this round returns once nothing this
                // poll saw can reach a waiter any more.
                list.pollReturned();
            } finally {
                list.lock.unlock();
            }
        }
    }

    /**
     * Drains the wake-up pair, or unparks the waiter of each ready direction of an entry and takes the
     * direction out of the list; the caller holds the list's lock, which {@link #arm} holds too.
     */
    private void release(int slot, int fd, short asked, int revents) {
        if (slot == 0) {
            int r = wake.clear();
            if (r < 0) {
                throw new AssertionError("recv on the poller's own wake-up socket failed: " + Errno.name(-r));
            }
            return;
        }
        if (fd < 0) {
            return;
        }
        if ((asked & PollArray.READ) != 0 && PollArray.readable(revents)) {
            release(fd, true);
        }
        if ((asked & PollArray.WRITE) != 0 && PollArray.writable(revents)) {
            release(fd, false);
        }
    }

    private void release(int fd, boolean reading) {
        wakeup(fd, reading);
        list.remove(fd, direction(reading));
    }
}

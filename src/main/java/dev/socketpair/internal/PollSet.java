package dev.socketpair.internal;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernel side of a selector where the system has no epoll: an interest list that poll(2) is given
 * whole at each wait ({@link PollList}), the {@link WakeupPair} whose reading end comes first in every
 * poll, and the memory the calls use.
 *
 * <p>{@link #add}, {@link #modify} and {@link #delete} change the list, make no system call and never
 * fail; a wait copies the list into its array only if it changed. There is no limit on the number of
 * descriptors but the process's. A wait costs a poll(2) over every registered descriptor.
 *
 * <p>A descriptor under a poll in progress. poll(2) holds each file it waits on until it returns, and
 * looks descriptors up by number again each time something wakes it: a channel closed during a poll
 * would keep its socket open (its peer would see no end of stream) until the poll returned, and a
 * number reused meanwhile would be polled as the new file. So {@link #delete}, which a channel's close
 * makes before close(2), marks the descriptor's entry ignored in the array and, if a poll of it is in
 * progress, wakes that poll and waits until it has returned: the close then ends the socket at once, as
 * with epoll, and nothing the poll saw under the number is reported. That wake-up is the set's own: a
 * wait that it ends with nothing else to report is not a wake-up of the selector, and waits again.
 *
 * <p>A descriptor closed behind its owner's back. poll(2) reports {@code POLLNVAL} for it at once, in
 * every call, and the JDK's selectors make it ready for nothing; here it also leaves the interest list,
 * as epoll drops a closed file from its set, so that a blocking wait does not return at once for ever.
 *
 * <p>Virtual threads. No descriptor stands for the whole list as an epoll set's does, so
 * {@link #parkUntilReady} has a platform thread make the blocking poll(2) of the array while the
 * selecting thread parks, as the JDK adds a carrier while a virtual thread blocks in a call it cannot
 * park in; the rules above hold for that poll as for any. The platform threads are made as selecting
 * threads need them, and end after a minute without work.
 *
 * <p>Threads: as {@link ReadinessSet} says; the list, the array and {@link #wokenUp} are guarded by the
 * list's lock.
 */
public final class PollSet implements ReadinessSet {

    private static final int INITIAL_CAPACITY = 16;

    /** The platform threads that poll for parked selecting threads; made when first used. */
    private static final class ParkedPolls {
        static final ExecutorService THREADS = Executors.newCachedThreadPool(
                Thread.ofPlatform().name("socketpair-select-poller-", 0).daemon().factory());

        private ParkedPolls() {
        }
    }

    private final WakeupPair wake;
    private final SelectorResources resources;
    private final Cleaner.Cleanable cleanable;
    private final PollList list;
    // Guarded by the list's lock: wakeup() was called, and clearWakeup() has not been since.
    private boolean wokenUp;

    // The selecting thread's, and during a parked wait the platform thread's that polls for it.
    private final MemorySegment waitErrno;
    private int parkedCount;
    private int parkedTimeout;

    // The selecting thread's: the events the last wait collected.
    private int[] readyFds = new int[INITIAL_CAPACITY];
    private int[] readyEvents = new int[INITIAL_CAPACITY];
    private int readyCount;
    private final PollList.ReadyEntry collector = this::collect;

    private PollSet(int wakeReader, int wakeWriter) {
        this.resources = new SelectorResources(wakeWriter, wakeReader);
        this.cleanable = resources.cleanWhenUnreachable(this);
        this.wake = new WakeupPair(wakeReader, wakeWriter, resources.arena);
        this.list = new PollList(wakeReader);
        this.waitErrno = Syscalls.allocateErrnoCapture(resources.arena);
    }

    /** Creates a set with an empty interest list and its wake-up pair. If a call fails, nothing is left open. */
    public static Opened open() {
        SocketControl.OpenedPair pair = WakeupPair.open();
        if (pair.failedCall() != null) {
            return new Opened(null, pair.failedCall(), pair.errno());
        }
        return new Opened(new PollSet(pair.first(), pair.second()), null, 0);
    }

    @Override
    public int readableEvents() {
        return PollArray.READ;
    }

    @Override
    public int writableEvents() {
        return PollArray.WRITE;
    }

    @Override
    public int failedEvents() {
        return PollArray.FAILED;
    }

    /** Adds {@code fd} to the interest list. @return 0: the list takes any number of descriptors */
    @Override
    public int add(int fd, int events) {
        return modify(fd, events);
    }

    /** Sets the events of {@code fd}, adding it if it is not in the list. @return 0 */
    @Override
    public int modify(int fd, int events) {
        list.lock.lock();
        try {
            list.set(fd, (short) events);
            return 0;
        } finally {
            list.lock.unlock();
        }
    }

    /**
     * Removes {@code fd} from the interest list, and from a poll in progress, as the class comment says:
     * may wait until that poll has returned, which it does at once.
     *
     * @return 0, or {@code -errno} from send(2) if the poll could not be woken
     */
    @Override
    public int delete(int fd) {
        list.lock.lock();
        try {
            if (!list.removeAll(fd) || !list.ignoreInPoll(fd)) {
                return 0;
            }
            int r = wake.wakeup();
            if (r < 0) {
                return r;
            }
            list.awaitPollReturned();
            return 0;
        } finally {
            list.lock.unlock();
        }
    }

    /** poll(2) takes the list whole: there is no call to change it. */
    @Override
    public String controlCall() {
        return "poll";
    }

    @Override
    public int waitNow() {
        int n = poll(0);
        return n < 0 ? n : readyCount;
    }

    /** Waits in poll(2), as {@link ReadinessSet#waitInKernel} says. */
    @Override
    public int waitInKernel(int timeoutMillis) {
        int n = poll(timeoutMillis);
        if (n > 0 && readyCount == 0) {
            // Only the set's own wake-up, or descriptors no longer in it: nothing for the selector.
            return -Errno.EINTR;
        }
        return n < 0 ? n : readyCount;
    }

    @Override
    public String waitCall() {
        return "poll";
    }

    /** One poll(2) of the interest list; collects its events. @return what poll(2) returned */
    private int poll(int timeoutMillis) {
        int count = list.prepare();
        int n;
        try {
            n = Syscalls.poll(list.array(), count, timeoutMillis, waitErrno);
        } finally {
            list.pollReturned();
        }
        readyCount = 0;
        if (n > 0) {
            list.lock.lock();
            try {
                list.forEachReady(count, n, collector);
            } finally {
                list.lock.unlock();
            }
        }
        return n;
    }

    /**
     * Collects one entry's events: the wake-up only if {@link #wakeup()} made it (the set's own is drained
     * here), nothing for an entry {@link #delete} marked, and nothing for a descriptor that was not open,
     * which leaves the list.
     */
    private void collect(int slot, int fd, short asked, int revents) {
        if (slot == 0 && !wokenUp) {
            int r = wake.clear();
            if (r < 0) {
                throw new AssertionError("recv on the selector's own wake-up socket failed: " + Errno.name(-r));
            }
        } else if (slot != 0 && PollArray.invalid(revents)) {
            list.removeAll(fd);
        } else if (fd >= 0) {
            if (readyCount == readyFds.length) {
                readyFds = Arrays.copyOf(readyFds, readyCount * 2);
                readyEvents = Arrays.copyOf(readyEvents, readyCount * 2);
            }
            readyFds[readyCount] = fd;
            readyEvents[readyCount++] = revents;
        }
    }

    /**
     * Parks as {@link ReadinessSet#parkUntilReady} says, while a platform thread polls the interest list
     * for up to {@code nanos}; what it found is left for {@link #waitNow()}, which polls again without
     * waiting. Neither an unpark nor an interrupt ends the park before the poll has returned, since the
     * array is in use until then: the wake-up that an interrupt of a selecting thread makes ends the poll
     * instead. The interrupt status is kept.
     *
     * @return 0: a poll that fails fails again in {@link #waitNow()}, which reports it
     */
    @Override
    public int parkUntilReady(long nanos) {
        parkedCount = list.prepare();
        MemorySegment array = list.array();
        parkedTimeout = nanos > 0 ? (int) Math.min(TimeUnit.NANOSECONDS.toMillis(nanos + 999_999), Integer.MAX_VALUE)
                : -1;
        Thread waiter = Thread.currentThread();
        AtomicBoolean done = new AtomicBoolean();
        try {
            ParkedPolls.THREADS.execute(() -> {
                try {
                    Syscalls.poll(array, parkedCount, parkedTimeout, waitErrno);
                } finally {
                    // Before the waiter runs again: a delete waiting for this poll need not wait for it.
                    list.pollReturned();
                    done.set(true);
                    LockSupport.unpark(waiter);
                }
            });
            boolean interrupted = false;
            while (!done.get()) {
                LockSupport.park(this);
                // A park returns at once while the status is set: clear it, and set it again once done.
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                waiter.interrupt();
            }
        } finally {
            list.pollReturned();
        }
        return 0;
    }

    /** The descriptor of the {@code index}th event collected by the last wait. */
    @Override
    public int eventFd(int index) {
        return readyFds[index];
    }

    /** The {@code revents} of the {@code index}th event collected by the last wait. */
    @Override
    public int eventBits(int index) {
        return readyEvents[index];
    }

    @Override
    public boolean isWakeup(int fd) {
        return fd == wake.reader();
    }

    @Override
    public int wakeup() {
        list.lock.lock();
        try {
            wokenUp = true;
            return wake.wakeup();
        } finally {
            list.lock.unlock();
        }
    }

    @Override
    public int clearWakeup() {
        list.lock.lock();
        try {
            wokenUp = false;
            return wake.clear();
        } finally {
            list.lock.unlock();
        }
    }

    @Override
    public int close() {
        wake.close();
        cleanable.clean();
        return resources.closeResult();
    }
}

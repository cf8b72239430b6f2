package dev.socketpair.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Descriptors, each with the poll(2) events it is watched for, and the array a poll(2) of them is given,
 * the reading end of a wake-up pair first: what a selector's {@link PollSet} and the {@link PollPoller}
 * share.
 *
 * <p>The list is Java memory, each descriptor in it once. {@link #prepare} copies it into the
 * {@link PollArray} if it changed since the last copy, and marks a poll of the array in progress until
 * {@link #pollReturned}; poll(2) writes back only {@code revents}, so an unchanged array serves the next
 * poll as it is. While a poll is in progress the array is not moved or copied into: a change of the list
 * reaches the next poll, and the owner wakes the poll in progress if the change must not wait for it.
 * poll(2) holds each file it waits on until it returns, and looks descriptors up by number again each
 * time something wakes it; so a descriptor about to be closed is taken out of the list, marked ignored in
 * the array ({@link #ignoreInPoll}), and its owner wakes the poll and waits for it to return
 * ({@link #awaitPollReturned}) before close(2).
 *
 * <p>Guarded by {@link #lock}, which the owner holds around every call here but {@link #prepare},
 * {@link #array} and {@link #pollReturned}, and may use for state of its own. The array is read and
 * written under it too, except by the poll(2) call itself, which the owner makes outside it; one thread
 * at a time prepares and polls it.
 */
final class PollList {

    /** What {@link #forEachReady} passes each entry with events to. */
    interface ReadyEntry {
        /**
         * @param slot    the entry's place in the array, 0 for the wake-up pair's reading end
         * @param fd      its descriptor, negative if {@link #ignoreInPoll} marked it
         * @param asked   the events it was polled for
         * @param revents the events poll(2) reported
         */
        void accept(int slot, int fd, short asked, int revents);
    }

    private static final int INITIAL_CAPACITY = 16;

    /** Guards everything here; the owner's to use for its own state as well. */
    final ReentrantLock lock = new ReentrantLock();
    private final Condition returned = lock.newCondition();
    private final int wakeReader;

    // The list, and each descriptor's place in it (index + 1, 0 if absent).
    private int[] fds = new int[INITIAL_CAPACITY];
    private short[] events = new short[INITIAL_CAPACITY];
    private int size;
    private int[] positions = new int[INITIAL_CAPACITY];
    // The list changed since it was copied into the array.
    private boolean changed = true;
    // A poll of the array is in progress, or about to begin; how many have returned.
    private boolean polling;
    private long polls;

    // The array, and what each entry of it asks for.
    private final PollArray polled = new PollArray(INITIAL_CAPACITY);
    private int[] polledFds = new int[INITIAL_CAPACITY];
    private short[] polledEvents = new short[INITIAL_CAPACITY];
    private int polledCount;

    /** @param wakeReader the reading end of the owner's wake-up pair, polled first, for reading */
    PollList(int wakeReader) {
        this.wakeReader = wakeReader;
    }

    /** Adds the {@code bits} to the events of {@code fd}, which joins the list if new. @return whether any was new */
    boolean add(int fd, short bits) {
        int at = position(fd);
        if (at < 0) {
            append(fd, bits);
            return true;
        }
        if ((events[at] & bits) == bits) {
            return false;
        }
        events[at] |= bits;
        changed = true;
        return true;
    }

    /** Sets the events of {@code fd} to {@code bits}, which are not 0; {@code fd} joins the list if new. */
    void set(int fd, short bits) {
        int at = position(fd);
        if (at < 0) {
            append(fd, bits);
        } else if (events[at] != bits) {
            events[at] = bits;
            changed = true;
        }
    }

    /**
     * Takes the {@code bits} out of the events of {@code fd}, which leaves the list once it has none.
     *
     * @return whether any of them was there
     */
    boolean remove(int fd, short bits) {
        int at = position(fd);
        if (at < 0 || (events[at] & bits) == 0) {
            return false;
        }
        events[at] &= (short) ~bits;
        if (events[at] == 0) {
            positions[fd] = 0;
            int last = --size;
            if (at != last) {
                fds[at] = fds[last];
                events[at] = events[last];
                positions[fds[at]] = at + 1;
            }
        }
        changed = true;
        return true;
    }

    /** Takes {@code fd} out of the list, whatever its events. @return whether it was there */
    boolean removeAll(int fd) {
        return remove(fd, (short) -1);
    }

    private int position(int fd) {
        return fd < positions.length ? positions[fd] - 1 : -1;
    }

    private void append(int fd, short bits) {
        if (size == fds.length) {
            fds = Arrays.copyOf(fds, size * 2);
            events = Arrays.copyOf(events, size * 2);
        }
        if (fd >= positions.length) {
            positions = Arrays.copyOf(positions, Math.max(fd + 1, positions.length * 2));
        }
        fds[size] = fd;
        events[size] = bits;
        positions[fd] = ++size;
        changed = true;
    }

    /**
     * Marks the entries of {@code fd} in the array ignored, if a poll of it is in progress: poll(2) skips
     * them from its next look on, and {@link #forEachReady} passes them with a negative descriptor.
     *
     * @return whether the poll in progress had any
     */
    boolean ignoreInPoll(int fd) {
        boolean found = false;
        if (polling) {
            for (int slot = 1; slot < polledCount; slot++) {
                if (polledFds[slot] == fd) {
                    polledFds[slot] = -1;
                    polled.ignore(slot);
                    found = true;
                }
            }
        }
        return found;
    }

    /**
     * Brings the array up to date with the list, and marks a poll of it in progress; takes the lock.
     *
     * @return the number of entries to poll in {@link #array()}
     */
    int prepare() {
        lock.lock();
        try {
            return prepareLocked();
        } finally {
            lock.unlock();
        }
    }

    private int prepareLocked() {
        if (changed) {
            int count = size + 1;
            polled.ensureCapacity(count);
            if (polledFds.length < count) {
                polledFds = new int[Math.max(count, polledFds.length * 2)];
                polledEvents = new short[polledFds.length];
            }
            polled.set(0, wakeReader, PollArray.READ);
            polledFds[0] = wakeReader;
            polledEvents[0] = PollArray.READ;
            for (int i = 0; i < size; i++) {
                polled.set(i + 1, fds[i], events[i]);
                polledFds[i + 1] = fds[i];
                polledEvents[i + 1] = events[i];
            }
            polledCount = count;
            changed = false;
        }
        polling = true;
        return polledCount;
    }

    /** The array that {@link #prepare} made ready, for the poll(2) that follows it, outside the lock. */
    MemorySegment array() {
        return polled.memory();
    }

    /** Whether a poll of the array is in progress. */
    boolean polling() {
        return polling;
    }

    /** Ends the poll in progress, if any, and lets an {@link #awaitPollReturned} go on; takes the lock. */
    void pollReturned() {
        lock.lock();
        try {
            if (polling) {
                polling = false;
                polls++;
                returned.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits, letting go of the lock meanwhile, until the poll in progress (if any) has returned. */
    void awaitPollReturned() {
        if (polling) {
            long before = polls;
            while (polls == before) {
                returned.awaitUninterruptibly();
            }
        }
    }

    /**
     * Passes each of the first {@code count} entries of the array that has events to {@code action}, in
     * order; {@code n} of them have, as poll(2) returned.
     */
    void forEachReady(int count, int n, ReadyEntry action) {
        int found = 0;
        for (int slot = 0; slot < count && found < n; slot++) {
            int revents = polled.revents(slot);
            if (revents != 0) {
                found++;
                action.accept(slot, polledFds[slot], polledEvents[slot], revents);
            }
        }
    }
}

package dev.socketpair;

import java.util.Arrays;

/**
 * A selector's keys by the descriptor numbers of their channels, in an array indexed by the number, so
 * that matching an event to its key is one index and allocates nothing. The array grows to the highest
 * number mapped and never shrinks while the selector is open: a reference per number, which the process's
 * descriptor limit bounds.
 *
 * <p>Not thread-safe: guarded by the selector's monitor, as {@link UnixSelector} says.
 */
final class KeysByDescriptor {

    private static final int INITIAL_CAPACITY = 64;

    private UnixSelectionKey[] keys = new UnixSelectionKey[INITIAL_CAPACITY];

    /** The key mapped to {@code fd}, or null. */
    UnixSelectionKey get(int fd) {
        return fd >= 0 && fd < keys.length ? keys[fd] : null;
    }

    /** Maps {@code fd}, a descriptor number, to {@code key}, in place of any key it had. */
    void put(int fd, UnixSelectionKey key) {
        if (fd >= keys.length) {
            keys = Arrays.copyOf(keys, Math.max(fd + 1, keys.length * 2));
        }
        keys[fd] = key;
    }

    /**
     * Unmaps {@code fd} if it is mapped to {@code key}: a number reused by another channel is that
     * channel's, and keeps its key.
     */
    void remove(int fd, UnixSelectionKey key) {
        if (get(fd) == key) {
            keys[fd] = null;
        }
    }

    /** Unmaps every number, and lets go of the memory. */
    void clear() {
        keys = new UnixSelectionKey[INITIAL_CAPACITY];
    }
}

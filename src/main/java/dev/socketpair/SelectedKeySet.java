package dev.socketpair;

import java.nio.channels.SelectionKey;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The selected-key set of a {@link UnixSelector}: its keys in an array, each key holding its own place in
 * it ({@link UnixSelectionKey#selectedIndex}), so that {@link #add}, {@link #remove} and
 * {@link #contains} take constant time and allocate nothing; only an iterator is allocated, one per
 * {@link #iterator()}. A removal moves the last key into the hole, so the order of iteration is no
 * particular one, as with the JDK's {@code HashSet}. Iterators are fail-fast as that set's are: a change
 * made other than through the iterator makes its next {@code next()} or {@code remove()} throw
 * {@link ConcurrentModificationException}.
 *
 * <p>A key is only ever in the selected set of its own selector. Not thread-safe: guarded as
 * {@link java.nio.channels.Selector} says of the selected-key set, by the monitor of the selector's
 * public view of it during selection operations.
 */
final class SelectedKeySet extends AbstractSet<SelectionKey> {

    private static final int INITIAL_CAPACITY = 16;

    private UnixSelectionKey[] keys = new UnixSelectionKey[INITIAL_CAPACITY];
    private int size;
    // Structural changes so far, for the iterators to see changes not made through them.
    private int modCount;

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof UnixSelectionKey key && indexOf(key) >= 0;
    }

    private int indexOf(UnixSelectionKey key) {
        int i = key.selectedIndex;
        return i >= 0 && i < size && keys[i] == key ? i : -1;
    }

    @Override
    public boolean add(SelectionKey k) {
        UnixSelectionKey key = (UnixSelectionKey) k;
        if (indexOf(key) >= 0) {
            return false;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
        }
        keys[size] = key;
        key.selectedIndex = size++;
        modCount++;
        return true;
    }

    @Override
    public boolean remove(Object o) {
        if (!(o instanceof UnixSelectionKey key)) {
            return false;
        }
        int i = indexOf(key);
        if (i < 0) {
            return false;
        }
        removeAt(i);
        return true;
    }

    /** Removes the key at {@code i}, moving the last key into its place. */
    private void removeAt(int i) {
        keys[i].selectedIndex = -1;
        int last = --size;
        if (i != last) {
            UnixSelectionKey moved = keys[last];
            keys[i] = moved;
            moved.selectedIndex = i;
        }
        keys[last] = null;
        modCount++;
    }

    @Override
    public void clear() {
        for (int i = 0; i < size; i++) {
            keys[i].selectedIndex = -1;
            keys[i] = null;
        }
        size = 0;
        modCount++;
    }

    @Override
    public Iterator<SelectionKey> iterator() {
        return new KeyIterator();
    }

    /**
     * Visits the keys in array order. Removing the last key returned moves the last key of the array
     * into its place, which is visited next: the cursor steps back onto it.
     */
    private final class KeyIterator implements Iterator<SelectionKey> {
        private int cursor;
        private int lastReturned = -1;
        private int expectedModCount = modCount;

        @Override
        public boolean hasNext() {
            return cursor < size;
        }

        @Override
        public SelectionKey next() {
            checkForComodification();
            if (cursor >= size) {
                throw new NoSuchElementException();
            }
            lastReturned = cursor;
            return keys[cursor++];
        }

        @Override
        public void remove() {
            if (lastReturned < 0) {
                throw new IllegalStateException();
            }
            checkForComodification();
            removeAt(lastReturned);
            cursor = lastReturned;
            lastReturned = -1;
            expectedModCount = modCount;
        }

        private void checkForComodification() {
            if (modCount != expectedModCount) {
                throw new ConcurrentModificationException();
            }
        }
    }
}

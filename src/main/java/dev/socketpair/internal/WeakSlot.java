package dev.socketpair.internal;

import java.lang.ref.WeakReference;

/**
 * One object kept for reuse from call to call without keeping it reachable. A batch's scratch keeps
 * what it made for the buffers it was given last (segments over them), so that a loop over the same
 * buffers allocates nothing; but a channel must not keep its caller's buffers, or the memory behind
 * them, alive once the caller has dropped them, as the JDK's channels do not. A garbage collection may
 * empty the slot; the next call then makes its object again. (The transfer and the batch a direction
 * made last are held the same way by {@link NativeScratch} itself, which every call reaches anyway.)
 *
 * <p>Not synchronised: a race between two threads costs at most an object made again.
 *
 * @param <T> what the slot keeps
 */
public final class WeakSlot<T> {

    /** What every slot holds until it keeps something: an empty slot costs no reference of its own. */
    private static final WeakReference<?> EMPTY = new WeakReference<>(null);

    @SuppressWarnings("unchecked")
    private WeakReference<T> reference = (WeakReference<T>) EMPTY;

    /** {@return what the slot keeps, or null if nothing, or if it was collected} */
    public T get() {
        return reference.get();
    }

    /** Keeps {@code value} instead of what the slot kept. */
    public void set(T value) {
        reference = new WeakReference<>(value);
    }
}

package dev.socketpair;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;
import java.util.concurrent.atomic.AtomicInteger;

/** The registration of a {@link UnixSocketChannel} with a {@link UnixSelector}. */
final class UnixSelectionKey extends AbstractSelectionKey {

    /** The operations that can become ready: a pair end is connected from birth, so never OP_CONNECT. */
    static final int READY_OPS = SelectionKey.OP_READ | SelectionKey.OP_WRITE;

    private final UnixSocketChannel channel;
    private final UnixSelector selector;
    private final AtomicInteger interestOps = new AtomicInteger();
    private volatile int readyOps;

    /**
     * The event bits this key's descriptor is in the selector's readiness set with, 0 if it is not;
     * guarded by the selector's set lock.
     */
    int registeredEvents;

    /**
     * This key's place in its selector's selected-key set, -1 if it is not in it; guarded as that set is
     * (see {@link SelectedKeySet}).
     */
    int selectedIndex = -1;

    UnixSelectionKey(UnixSocketChannel channel, UnixSelector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    UnixSocketChannel unixChannel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    UnixSelector unixSelector() {
        return selector;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps.get();
    }

    /**
     * Sets the interest set; the change takes effect at the next selection operation. OP_CONNECT is
     * accepted, as {@link UnixSocketChannel#validOps()} includes it, and never becomes ready.
     */
    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        if (interestOps.getAndSet(ops) != ops) {
            selector.setEventOps(this);
        }
        return this;
    }

    @Override
    public int interestOpsOr(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        // The operators capture nothing, so that a select loop's interest changes allocate nothing.
        int old = interestOps.getAndAccumulate(ops, (o, x) -> o | x);
        if ((old | ops) != old) {
            selector.setEventOps(this);
        }
        return old;
    }

    @Override
    public int interestOpsAnd(int ops) {
        ensureValid();
        int old = interestOps.getAndAccumulate(ops, (o, x) -> o & x);
        if ((old & ops) != old) {
            selector.setEventOps(this);
        }
        return old;
    }

    /** The interest set, even once cancelled: for the selector's own bookkeeping. */
    int currentInterestOps() {
        return interestOps.get();
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    int currentReadyOps() {
        return readyOps;
    }

    void readyOps(int ops) {
        readyOps = ops;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public String toString() {
        return "UnixSelectionKey[" + channel + (isValid() ? ", interest=" + interestOps.get() + ", ready=" + readyOps
                : ", cancelled") + "]";
    }
}

package dev.socketpair;

import dev.socketpair.internal.Errno;
import dev.socketpair.internal.ReadinessSet;
import dev.socketpair.internal.SocketDescriptor;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A {@link Selector} for {@link UnixSocketChannel}s, with the JDK's selection semantics, on a
 * {@link ReadinessSet}: epoll(7) where the system has it, poll(2) elsewhere.
 *
 * <p>Locks, in the order they are taken: the selector's monitor and the selected-key set's monitor (a
 * selection operation and close, as {@link Selector} specifies), the cancelled-key set's monitor, then
 * {@link #setLock}. {@link #updateLock} guards the update queue only.
 *
 * <p>Descriptor numbers. A channel's descriptor may be closed, and its number reused by the process, at
 * any moment; epoll_ctl(2) on a stale number would change the registration of another file, an epoll
 * set that kept a closed file it still reports (a socket another process shares stays open) could
 * report it under a reused number for ever, and a poll(2) would watch whatever file has the number now.
 * The JDK defers the close of a registered channel's descriptor until every selector has deregistered
 * it. This library keeps the close where it is and makes the selectors let go first:
 * <ol>
 * <li>Every change of the set for a channel's descriptor is made under {@link #setLock} and holds the
 *     descriptor with {@link SocketDescriptor#acquire()}, so the descriptor cannot be closed under it.
 *     If acquire fails, the channel is closing: the change is not made, and the key keeps what it has
 *     registered, for step 2.</li>
 * <li>A key is in its channel's list of selector keys from before it can be added to a set until it is
 *     out of the set. The channel's close runs {@link #channelClosing} for each of them after the
 *     descriptor's last operation has left and before close(2) (see
 *     {@link SocketDescriptor#close(Runnable)}): under {@link #setLock} it deletes the descriptor from
 *     the set, whose number still names the socket then, and which lets go of it before the delete
 *     returns (see {@link ReadinessSet}). No add can follow, since acquire fails.</li>
 * <li>Closing the set happens under {@link #setLock} and is recorded there, so step 2 never touches a
 *     set already closed.</li>
 * </ol>
 * The channel's keys are cancelled by {@link AbstractSelectableChannel} after that; the next selection
 * operation deregisters them as usual. Events are matched to keys by descriptor number: a number that
 * has left the set through step 2 may come back as another channel's, whose key then replaces the old
 * one in {@link #fdToKey}, and the old key is removed from it only if it is still its entry.
 *
 * <p>Waiting. A platform thread waits in the kernel (epoll_wait(2) or poll(2)). A virtual thread must
 * not, which would pin its carrier: it parks until a platform thread (the poller's for an epoll set, one
 * that polls in its stead for poll(2); either can unpark a thread that stays pinned) has seen the set
 * ready, then collects the events with a zero timeout (see {@link ReadinessSet#parkUntilReady}).
 * {@link #wakeup()}, close and interrupt (through {@link #begin()}) write to the set's wake-up pair,
 * which releases both. The park happens inside the selector's monitor, which {@link Selector} requires
 * a selection operation to hold: from JDK 24 on that does not pin the carrier; on JDK 22 and 23 it does.
 */
final class UnixSelector extends AbstractSelector {

    private final ReadinessSet readiness;
    // The set's event bits for readable, writable, and an error or hang-up.
    private final int readable;
    private final int writable;
    private final int failed;

    // The key set is safe for concurrent use; its public view cannot be changed.
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);

    // Guarded by the monitor of publicSelectedKeys (and so by selection operations). Like fdToKey, made
    // of arrays, so that selecting a key allocates nothing.
    private final SelectedKeySet selectedKeys = new SelectedKeySet();
    private final Set<SelectionKey> publicSelectedKeys = new UngrowableSet(selectedKeys);

    // Guarded by the selector's monitor: only selection operations and close use them.
    private final KeysByDescriptor fdToKey = new KeysByDescriptor();
    private boolean inSelect;

    // Keys whose interest set changed since the last selection operation.
    private final Object updateLock = new Object();
    private final ArrayDeque<UnixSelectionKey> updateKeys = new ArrayDeque<>();

    // Guards every change of the set, each key's registeredEvents, and closing the set.
    private final ReentrantLock setLock = new ReentrantLock();
    private boolean setClosed;

    /** Opens a selector on the system's readiness interface. */
    UnixSelector(UnixSelectorProvider provider) throws IOException {
        this(provider, ReadinessSet.open());
    }

    /** Opens a selector on the set {@code opened} holds, or throws why it could not be opened. */
    UnixSelector(UnixSelectorProvider provider, ReadinessSet.Opened opened) throws IOException {
        super(provider);
        if (opened.set() == null) {
            throw Errors.exception(opened.syscall(), opened.errno());
        }
        this.readiness = opened.set();
        this.readable = readiness.readableEvents();
        this.writable = readiness.writableEvents();
        this.failed = readiness.failedEvents();
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelectedKeys;
    }

    @Override
    public int selectNow() throws IOException {
        return lockAndDoSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return lockAndDoSelect(null, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select() throws IOException {
        return select(0);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        Objects.requireNonNull(action, "action");
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return lockAndDoSelect(action, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return select(action, 0);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return lockAndDoSelect(Objects.requireNonNull(action, "action"), 0);
    }

    /** @param timeout -1 to wait without limit, 0 not to wait, else milliseconds */
    private int lockAndDoSelect(Consumer<SelectionKey> action, long timeout) throws IOException {
        synchronized (this) {
            ensureOpen();
            if (inSelect) {
                throw new IllegalStateException("select in progress");
            }
            inSelect = true;
            try {
                synchronized (publicSelectedKeys) {
                    return doSelect(action, timeout);
                }
            } finally {
                inSelect = false;
            }
        }
    }

    private int doSelect(Consumer<SelectionKey> action, long timeout) throws IOException {
        processDeregisterQueue();
        processUpdateQueue();
        boolean blocking = timeout != 0;
        int n;
        if (blocking) {
            try {
                begin();
                n = waitForEvents(timeout);
            } finally {
                end();
            }
        } else {
            n = readiness.waitNow();
        }
        if (n < 0) {
            throw Errors.onOwnDescriptor(readiness.waitCall(), -n);
        }
        processDeregisterQueue();
        return processEvents(n, action);
    }

    /**
     * Waits until something in the set is ready, the selector is woken (by {@link #wakeup()}, close, or
     * an interrupt through {@link #begin()}), or the timeout passes.
     *
     * @return the number of events collected, or {@code -errno}
     */
    private int waitForEvents(long timeout) throws IOException {
        long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
        boolean virtual = Thread.currentThread().isVirtual();
        for (;;) {
            long remaining = timeout > 0 ? deadline - System.nanoTime() : 0;
            if (timeout > 0 && remaining <= 0) {
                return 0;
            }
            int n;
            if (virtual) {
                n = readiness.waitNow();
                if (n == 0 && !Thread.currentThread().isInterrupted()) {
                    UnixSocketChannel.startPollers();
                    int r = readiness.parkUntilReady(remaining);
                    if (r < 0) {
                        throw Errors.onOwnDescriptor(readiness.controlCall(), -r);
                    }
                    n = readiness.waitNow();
                }
            } else {
                long millis = timeout > 0 ? TimeUnit.NANOSECONDS.toMillis(remaining + 999_999) : -1;
                n = readiness.waitInKernel((int) Math.min(millis, Integer.MAX_VALUE));
            }
            if (n == -Errno.EINTR || (n == 0 && virtual && !Thread.currentThread().isInterrupted())) {
                // A signal, a change of the set under the wait, or a park that ended without events (a
                // spurious unpark, or a timeout the loop checks): wait for what is left.
                continue;
            }
            return n;
        }
    }

    /** Applies interest-set changes to the readiness set. */
    private void processUpdateQueue() throws IOException {
        for (;;) {
            UnixSelectionKey key;
            synchronized (updateLock) {
                key = updateKeys.pollFirst();
            }
            if (key == null) {
                return;
            }
            if (!key.isValid()) {
                continue;
            }
            UnixSocketChannel channel = key.unixChannel();
            int events = eventsOf(key.currentInterestOps());
            setLock.lock();
            try {
                SocketDescriptor descriptor = channel.descriptor();
                if (!descriptor.acquire()) {
                    // Closing: its close takes the descriptor out of the set (channelClosing). Its
                    // number may already name another channel's socket, whose key keeps the number.
                    continue;
                }
                int r;
                try {
                    // Mapped only while the number surely names this channel's socket.
                    fdToKey.put(channel.fd(), key);
                    int registered = key.registeredEvents;
                    if (events == registered) {
                        continue;
                    }
                    r = events == 0 ? readiness.delete(channel.fd())
                            : registered == 0 ? readiness.add(channel.fd(), events)
                            : readiness.modify(channel.fd(), events);
                } finally {
                    descriptor.release();
                }
                if (r < 0) {
                    throw Errors.onOwnDescriptor(readiness.controlCall(), -r);
                }
                key.registeredEvents = events;
            } finally {
                setLock.unlock();
            }
        }
    }

    /** Deregisters the keys cancelled since the last selection operation. */
    private void processDeregisterQueue() throws IOException {
        Set<SelectionKey> cancelled = cancelledKeys();
        IOException failure = null;
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                // The usual case: no iterator to allocate.
                return;
            }
            for (Iterator<SelectionKey> i = cancelled.iterator(); i.hasNext(); ) {
                UnixSelectionKey key = (UnixSelectionKey) i.next();
                i.remove();
                UnixSocketChannel channel = key.unixChannel();
                fdToKey.remove(channel.fd(), key);
                boolean stillInSet = false;
                setLock.lock();
                try {
                    if (key.registeredEvents != 0) {
                        SocketDescriptor descriptor = channel.descriptor();
                        if (descriptor.acquire()) {
                            int r;
                            try {
                                r = readiness.delete(channel.fd());
                            } finally {
                                descriptor.release();
                            }
                            if (r < 0 && failure == null) {
                                failure = Errors.onOwnDescriptor(readiness.controlCall(), -r);
                            }
                            key.registeredEvents = 0;
                        } else {
                            // Closing: the key stays in the channel's list for its close to delete.
                            stillInSet = true;
                        }
                    }
                } finally {
                    setLock.unlock();
                }
                if (!stillInSet) {
                    channel.removeSelectorKey(key);
                }
                selectedKeys.remove(key);
                keys.remove(key);
                deregister(key);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Step 2 of the protocol in the class comment: the channel of {@code key} is about to close(2). */
    void channelClosing(UnixSelectionKey key) {
        setLock.lock();
        try {
            if (key.registeredEvents != 0 && !setClosed) {
                // Cannot fail for a descriptor in the set; if it did, close(2) still drops the
                // registration of a socket no other process shares, and nothing else can be done.
                readiness.delete(key.unixChannel().fd());
            }
            key.registeredEvents = 0;
        } finally {
            setLock.unlock();
        }
    }

    /** Runs {@link #channelClosing} for each key of a channel whose descriptor is about to close. */
    static void channelClosing(List<UnixSelectionKey> channelKeys) {
        for (UnixSelectionKey key : channelKeys) {
            key.unixSelector().channelClosing(key);
        }
        channelKeys.clear();
    }

    private int processEvents(int n, Consumer<SelectionKey> action) throws IOException {
        boolean woken = false;
        int updated = 0;
        for (int i = 0; i < n; i++) {
            int fd = readiness.eventFd(i);
            if (readiness.isWakeup(fd)) {
                woken = true;
                continue;
            }
            UnixSelectionKey key = fdToKey.get(fd);
            if (key != null && key.isValid()) {
                updated += processReadyEvents(readiness.eventBits(i), key, action);
            }
        }
        if (woken) {
            int r = readiness.clearWakeup();
            if (r < 0) {
                throw Errors.onOwnDescriptor("recv", -r);
            }
        }
        return updated;
    }

    /**
     * Updates a key's ready set as {@link Selector} specifies: a key already selected gains the new
     * operations; another key gets exactly the ready ones and is selected (or passed to the action)
     * if any is of interest.
     *
     * @return 1 if the key was selected or its ready set grew, else 0
     */
    private int processReadyEvents(int bits, UnixSelectionKey key, Consumer<SelectionKey> action) {
        int interest = key.currentInterestOps();
        int ready = readyOpsOf(bits, interest);
        if (action != null) {
            key.readyOps(ready);
            if (ready != 0) {
                action.accept(key);
                ensureOpen();
                return 1;
            }
            return 0;
        }
        if (selectedKeys.contains(key)) {
            int old = key.currentReadyOps();
            key.readyOps(old | ready);
            return (ready & ~old) != 0 ? 1 : 0;
        }
        key.readyOps(ready);
        if (ready != 0) {
            selectedKeys.add(key);
            return 1;
        }
        return 0;
    }

    private int eventsOf(int interestOps) {
        int events = 0;
        if ((interestOps & SelectionKey.OP_READ) != 0) {
            events |= readable;
        }
        if ((interestOps & SelectionKey.OP_WRITE) != 0) {
            events |= writable;
        }
        return events;
    }

    private int readyOpsOf(int bits, int interestOps) {
        if ((bits & failed) != 0) {
            // An error or hang-up: every operation of interest would now return at once.
            return interestOps & UnixSelectionKey.READY_OPS;
        }
        int ready = 0;
        if ((bits & readable) != 0) {
            ready |= interestOps & SelectionKey.OP_READ;
        }
        if ((bits & writable) != 0) {
            ready |= interestOps & SelectionKey.OP_WRITE;
        }
        return ready;
    }

    /**
     * Queues a key whose interest set changed; called by the key. Never throws: a key whose selector is
     * closing is still valid until close deregisters it, and its interest set may change until then,
     * as {@link SelectionKey#interestOps(int)} specifies (close empties the queue, and a closed selector
     * never reads what comes after).
     */
    void setEventOps(UnixSelectionKey key) {
        synchronized (updateLock) {
            updateKeys.addLast(key);
        }
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof UnixSocketChannel channel)) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        UnixSelectionKey key = new UnixSelectionKey(channel, this);
        key.attach(attachment);
        // In the channel's list before it can reach the set: see the class comment.
        channel.addSelectorKey(key);
        keys.add(key);
        try {
            key.interestOps(ops);
        } catch (CancelledKeyException e) {
            // Another thread found the new key in the key set and cancelled it: the registration
            // happened, and a cancelled key is what it returns.
        }
        // A close that began before the key was in the key set may not have seen it.
        if (!isOpen()) {
            keys.remove(key);
            channel.removeSelectorKey(key);
            key.cancel();
            throw new ClosedSelectorException();
        }
        return key;
    }

    /**
     * Makes the selection operation in progress, or else the next one, return at once, in a platform
     * or a virtual thread. Safe to call from any thread, and after close.
     */
    @Override
    public Selector wakeup() {
        int r = readiness.wakeup();
        if (r < 0) {
            throw new AssertionError("send on the selector's own wake-up socket failed: " + Errno.name(-r));
        }
        return this;
    }

    /**
     * Wakes a thread selecting, waits for it to leave, then closes the readiness set and its wake-up pair
     * and deregisters every key.
     */
    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        int r;
        synchronized (this) {
            synchronized (publicSelectedKeys) {
                setLock.lock();
                try {
                    setClosed = true;
                    r = readiness.close();
                } finally {
                    setLock.unlock();
                }
                for (Iterator<SelectionKey> i = keys.iterator(); i.hasNext(); ) {
                    UnixSelectionKey key = (UnixSelectionKey) i.next();
                    key.unixChannel().removeSelectorKey(key);
                    deregister(key);
                    selectedKeys.remove(key);
                    i.remove();
                }
                Set<SelectionKey> cancelled = cancelledKeys();
                synchronized (cancelled) {
                    cancelled.clear();
                }
                fdToKey.clear();
                synchronized (updateLock) {
                    updateKeys.clear();
                }
            }
        }
        if (r < 0) {
            throw Errors.onOwnDescriptor("close", -r);
        }
    }

    @Override
    public String toString() {
        return "UnixSelector[" + (isOpen() ? keys.size() + " keys" : "closed") + "]";
    }

    /** The selected-key set's public view: keys may be removed, not added. */
    private static final class UngrowableSet extends AbstractSet<SelectionKey> {
        private final Set<SelectionKey> set;

        UngrowableSet(Set<SelectionKey> set) {
            this.set = set;
        }

        @Override
        public int size() {
            return set.size();
        }

        @Override
        public boolean isEmpty() {
            return set.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return set.contains(o);
        }

        @Override
        public Iterator<SelectionKey> iterator() {
            return set.iterator();
        }

        @Override
        public boolean remove(Object o) {
            return set.remove(o);
        }

        @Override
        public void clear() {
            set.clear();
        }

        @Override
        public boolean add(SelectionKey key) {
            throw new UnsupportedOperationException();
        }
    }
}

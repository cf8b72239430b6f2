package dev.socketpair.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The descriptor numbers the library owns in this process, and who owns each: a channel, a selector, a
 * received message. Adopting a number that is here is refused, so that no descriptor gets two owners
 * that would both close it, the second close then closing whatever file the process opened under the
 * number in between.
 *
 * <p>Invariant: a number is here from the moment an owner takes it until close(2) has given it back to
 * the kernel. Taking it out before close(2) would let an adoption in between take a descriptor that is
 * about to be closed; taking it out after close(2) would leave a window in which the number names some
 * other file yet still looks owned. So an owner marks its number closing, calls close(2), and only then
 * takes it out; an adoption that finds a number closing waits for that close to finish and looks again,
 * and so sees every number either owned (the owner's file) or free (closed, perhaps reused by now).
 * A number the kernel has just made for the library (socketpair(2), epoll_create1(2), a descriptor
 * installed by recvmsg(2)) cannot belong to anyone else: its registration replaces whatever is left of
 * the previous holder of the number, whose removal then leaves the new entry alone.
 *
 * <p>Descriptors the library holds only for the length of one call (duplicates made for a send,
 * descriptors received beyond a caller's limit and closed at once) are not registered: nobody outside
 * can know their numbers while they are open.
 *
 * <p>The table is indexed by number, in chunks made as numbers reach them and never taken away: the
 * kernel hands out the lowest free numbers, so the table stays as small as the process's highest
 * number, and registering and closing cost an atomic update of one slot, with no allocation.
 *
 * <p>Thread-safe; the waits last as long as a close(2) in another thread.
 */
public final class OwnedDescriptors {

    /** One owner, compared by identity; {@link #toString()} says what it is, for messages. */
    public static final class Owner {
        private final String what;

        /** @param what how a message names the owner, such as "a UnixSocketChannel" */
        public Owner(String what) {
            this.what = what;
        }

        @Override
        public String toString() {
            return what;
        }
    }

    /** The entry of a number whose owner has begun close(2); gone once the call has returned. */
    private static final class Closing {
        final CountDownLatch closed = new CountDownLatch(1);

        void await() {
            boolean interrupted = false;
            while (true) {
                try {
                    closed.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final int CHUNK_BITS = 10;
    private static final int CHUNK_MASK = (1 << CHUNK_BITS) - 1;

    // Slot fd & CHUNK_MASK of chunk fd >>> CHUNK_BITS holds fd's Owner, or a Closing while the owner's
    // close(2) runs, or null. Replaced (grown) under the class's monitor; chunks are never replaced.
    @SuppressWarnings("unchecked")
    private static volatile AtomicReferenceArray<Object>[] chunks = new AtomicReferenceArray[0];

    private OwnedDescriptors() {
    }

    /**
     * Records that {@code owner} holds {@code fd}, which the kernel has just made for the library.
     */
    public static void register(int fd, Owner owner) {
        chunkOf(fd).set(fd & CHUNK_MASK, owner);
    }

    /** The chunk that holds {@code fd}'s slot, made if it is not there yet. */
    private static AtomicReferenceArray<Object> chunkOf(int fd) {
        int index = fd >>> CHUNK_BITS;
        AtomicReferenceArray<Object>[] current = chunks;
        if (index < current.length && current[index] != null) {
            return current[index];
        }
        synchronized (OwnedDescriptors.class) {
            current = chunks;
            if (index >= current.length) {
                current = Arrays.copyOf(current, Math.max(index + 1, current.length * 2));
            }
            if (current[index] == null) {
                current[index] = new AtomicReferenceArray<>(1 << CHUNK_BITS);
            }
            chunks = current;
            return current[index];
        }
    }

    /** The chunk that holds {@code fd}'s slot, or null if no number of it was ever registered. */
    private static AtomicReferenceArray<Object> existingChunkOf(int fd) {
        int index = fd >>> CHUNK_BITS;
        AtomicReferenceArray<Object>[] current = chunks;
        return index < current.length ? current[index] : null;
    }

    /**
     * Records that {@code owner} takes over {@code fd}, which a caller hands in, or which {@code from}
     * (if not null) hands on.
     *
     * @throws IllegalArgumentException if another owner holds {@code fd}
     */
    public static void claim(int fd, Owner owner, Owner from) {
        AtomicReferenceArray<Object> chunk = chunkOf(fd);
        int slot = fd & CHUNK_MASK;
        for (;;) {
            Object current = chunk.compareAndExchange(slot, null, owner);
            if (current == null) {
                return;
            }
            if (current == from) {
                if (chunk.compareAndSet(slot, from, owner)) {
                    return;
                }
            } else if (current instanceof Closing closing) {
                closing.await();
            } else {
                throw new IllegalArgumentException("descriptor " + fd + " is already owned by " + current);
            }
        }
    }

    /** Records that {@code owner} gave {@code fd} away without closing it: it is the caller's now. */
    public static void release(int fd, Owner owner) {
        AtomicReferenceArray<Object> chunk = existingChunkOf(fd);
        if (chunk != null) {
            chunk.compareAndSet(fd & CHUNK_MASK, owner, null);
        }
    }

    /** As {@link #close(int, Owner, MemorySegment)}, capturing errno into memory of its own. */
    public static int close(int fd, Owner owner) {
        try (Arena arena = Arena.ofConfined()) {
            return close(fd, owner, Syscalls.allocateErrnoCapture(arena));
        }
    }

    /**
     * Closes {@code fd} for {@code owner}, which holds it, and takes it out once close(2) has returned.
     * If {@code owner} no longer holds the number, the descriptor was closed behind its back and the
     * number now belongs to another owner, which this must not close: it returns {@code -EBADF}.
     *
     * @return 0, or {@code -errno} from close(2)
     */
    public static int close(int fd, Owner owner, MemorySegment capture) {
        AtomicReferenceArray<Object> chunk = existingChunkOf(fd);
        int slot = fd & CHUNK_MASK;
        Closing closing = new Closing();
        if (chunk == null || !chunk.compareAndSet(slot, owner, closing)) {
            return -Errno.EBADF;
        }
        try {
            return Syscalls.close(fd, capture);
        } finally {
            chunk.compareAndSet(slot, closing, null);
            closing.closed.countDown();
        }
    }
}

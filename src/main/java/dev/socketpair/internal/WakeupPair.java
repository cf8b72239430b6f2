package dev.socketpair.internal;

import dev.socketpair.internal.platform.Platform;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The wake-up of a thread that waits in epoll_wait(2) or poll(2): a socket pair whose reading end is
 * among what the thread waits on, and to whose other end {@link #wakeup()} sends one byte. The JDK uses
 * an eventfd(2); this library binds no eventfd (nor pipe), and the call it does bind for making
 * descriptors is socketpair(2), so the pair is a non-blocking, close-on-exec AF_UNIX stream pair. The
 * byte stays until {@link #clear()} drains it, so a wake-up made before a wait releases the next wait at
 * once. It costs one descriptor more than an eventfd, and no binding: send and recv with
 * {@code MSG_DONTWAIT} are calls the library makes anyway.
 *
 * <p>Thread-safe: {@link #wakeup()} and {@link #clear()} synchronise here and may come from any thread,
 * even during or after {@link #close()}. The owner closes the two descriptors, after {@link #close()}.
 */
final class WakeupPair {

    private static final int DONTWAIT = Platform.current().library().constant("MSG_DONTWAIT");
    private static final int NOSIGNAL = Platform.current().library().constant("MSG_NOSIGNAL");
    private static final int DRAIN_SIZE = 64;

    private final int reader;
    private final int writer;

    // Guarded by lock: a byte is in the pair; the pair is closed and must not be written.
    private final Object lock = new Object();
    private final MemorySegment buffer;
    private final MemorySegment errno;
    private boolean pending;
    private boolean closed;

    /** Takes the two ends of a pair from {@link #open()}; {@code arena} must outlive every call here. */
    WakeupPair(int reader, int writer, Arena arena) {
        this.reader = reader;
        this.writer = writer;
        this.buffer = arena.allocate(DRAIN_SIZE);
        this.errno = Syscalls.allocateErrnoCapture(arena);
    }

    /** Makes a wake-up pair: non-blocking and close-on-exec, or the call that failed, with nothing left open. */
    static SocketControl.OpenedPair open() {
        return SocketControl.openPair(SocketConstants.AF_UNIX,
                SocketConstants.SOCK_STREAM | SocketConstants.SOCK_NONBLOCK | SocketConstants.SOCK_CLOEXEC, 0);
    }

    /** The end that a waiting thread watches for reading. */
    int reader() {
        return reader;
    }

    /**
     * Makes the reading end readable until {@link #clear()}: a thread waiting returns, and so does the
     * next wait if none is waiting. Does nothing if a wake-up is already pending or the pair is closed.
     *
     * @return 0, or {@code -errno} from send(2)
     */
    int wakeup() {
        synchronized (lock) {
            if (pending || closed) {
                return 0;
            }
            long r = Syscalls.send(writer, buffer, 1, DONTWAIT | NOSIGNAL, errno);
            // EAGAIN: the pair is full of earlier wake-ups, which is as readable as one byte.
            if (r < 0 && r != -Errno.EAGAIN) {
                return (int) r;
            }
            pending = true;
            return 0;
        }
    }

    /**
     * Drains the pair, so that the next wait waits again.
     *
     * @return 0, or {@code -errno} from recv(2)
     */
    int clear() {
        synchronized (lock) {
            if (closed) {
                return 0;
            }
            for (;;) {
                long r = Syscalls.recv(reader, buffer, DRAIN_SIZE, DONTWAIT, errno);
                if (r == -Errno.EINTR) {
                    continue;
                }
                if (r < 0 && r != -Errno.EAGAIN) {
                    return (int) r;
                }
                if (r < DRAIN_SIZE) {
                    break;
                }
            }
            pending = false;
            return 0;
        }
    }

    /** Stops every later call here from touching the descriptors, which the owner then closes. */
    void close() {
        synchronized (lock) {
            closed = true;
        }
    }
}

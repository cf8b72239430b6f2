package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An array of {@code struct pollfd} for poll(2), grown as needed, and the poll bits the library asks
 * for and reads: the only code of the poll(2) backends that touches the struct or its constants.
 *
 * <p>Each array is automatic memory, freed once unreachable, so that growing leaves nothing behind
 * for the life of its owner. Not thread-safe: its owner decides who writes it, and must not move an
 * entry while a poll(2) of it runs, since the kernel writes {@code revents} back by position. Writing
 * a negative descriptor into an entry during a poll is allowed: the kernel read the descriptors when
 * the call began, and only writes {@code revents}.
 */
final class PollArray {

    private static final CLibrary C = Platform.current().library();
    /** Readiness to read: data, end of stream, a hang-up. */
    static final short READ = (short) C.constant("POLLIN");
    /** Readiness to write. */
    static final short WRITE = (short) C.constant("POLLOUT");
    /** Reported whatever was asked: an error, or a hang-up of both directions. */
    static final int FAILED = C.constant("POLLERR") | C.constant("POLLHUP");
    private static final int INVALID = C.constant("POLLNVAL");
    private static final long SIZE = Structs.POLLFD.byteSize();

    private MemorySegment memory;
    private int capacity;

    PollArray(int capacity) {
        this.capacity = capacity;
        this.memory = Arena.ofAuto().allocate(Structs.POLLFD, capacity);
    }

    /** Makes room for {@code count} entries; the entries' contents are lost if it grows. */
    void ensureCapacity(int count) {
        if (count > capacity) {
            capacity = Math.max(count, capacity * 2);
            memory = Arena.ofAuto().allocate(Structs.POLLFD, capacity);
        }
    }

    /** The memory to pass to poll(2). */
    MemorySegment memory() {
        return memory;
    }

    /** Sets entry {@code slot} to watch {@code fd} for {@code events} ({@link #READ}, {@link #WRITE}, both). */
    void set(int slot, int fd, short events) {
        Structs.POLL_FD.set(memory, slot * SIZE, fd);
        Structs.POLL_EVENTS.set(memory, slot * SIZE, events);
        Structs.POLL_REVENTS.set(memory, slot * SIZE, 0);
    }

    /** Makes poll(2) skip entry {@code slot} from its next look at the descriptors on. */
    void ignore(int slot) {
        Structs.POLL_FD.set(memory, slot * SIZE, -1);
    }

    /** The events the last poll(2) reported for entry {@code slot}, 0 if none. */
    int revents(int slot) {
        return (int) Structs.POLL_REVENTS.get(memory, slot * SIZE);
    }

    /** Whether {@code revents} says the descriptor was not open ({@code POLLNVAL}). */
    static boolean invalid(int revents) {
        return (revents & INVALID) != 0;
    }

    /**
     * Whether a read would return at once after {@code revents}: data or end of stream, an error or a
     * hang-up, or a descriptor that was not open.
     */
    static boolean readable(int revents) {
        return (revents & (READ | FAILED | INVALID)) != 0;
    }

    /** Whether a write would return at once after {@code revents}, as {@link #readable} says for reads. */
    static boolean writable(int revents) {
        return (revents & (WRITE | FAILED | INVALID)) != 0;
    }
}

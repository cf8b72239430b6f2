package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Descriptors no channel owns (pipes, files, received ones), used through the internal layer. */
public final class RawFd {

    private static final CLibrary C = Platform.current().library();

    private RawFd() {
    }

    /** A pipe: {@code [read end, write end]}, close-on-exec unless {@code cloexec} is false. */
    public static int[] pipe(boolean cloexec) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ends = arena.allocate(ValueLayout.JAVA_INT, 2);
            int r = Syscalls.pipe2(ends, cloexec ? C.constant("O_CLOEXEC") : 0, Syscalls.allocateErrnoCapture(arena));
            assertThat(r).as("pipe2").isZero();
            return ends.toArray(ValueLayout.JAVA_INT);
        }
    }

    /** Writes {@code bytes} with write(2), all of them. */
    static void write(int fd, byte... bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            long n = Syscalls.write(fd, buffer, bytes.length, Syscalls.allocateErrnoCapture(arena));
            assertThat(n).as("write(%d)", fd).isEqualTo(bytes.length);
        }
    }

    /** Reads up to {@code max} bytes with one read(2). */
    static byte[] read(int fd, int max) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(max);
            long n = Syscalls.read(fd, buffer, max, Syscalls.allocateErrnoCapture(arena));
            assertThat(n).as("read(%d)", fd).isGreaterThanOrEqualTo(0);
            return buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /**
     * Duplicates {@code fd} onto the lowest free number not below {@code lowest}, close-on-exec.
     *
     * @return the new descriptor
     */
    static int duplicate(int fd, int lowest) {
        try (Arena arena = Arena.ofConfined()) {
            int r = Syscalls.fcntl(fd, C.constant("F_DUPFD_CLOEXEC"), lowest, Syscalls.allocateErrnoCapture(arena));
            assertThat(r).as("fcntl(%d, F_DUPFD_CLOEXEC, %d)", fd, lowest).isNotNegative();
            return r;
        }
    }

    /** Closes each of {@code fds}, each of which must be open. */
    public static void close(int... fds) {
        for (int fd : fds) {
            assertThat(SocketControl.close(fd)).as("close(%d)", fd).isZero();
        }
    }

    /**
     * Every descriptor of this process, of every kind, except those the JVM opens by itself as tests
     * go on (class-path jars, read as classes load) and the poller's epoll instances, which live as long
     * as the process once made (the poll(2) poller's wake-up sockets, which do too, are made before any
     * test class: see {@link DescriptorLeakCheck}), and those the listing itself holds open on
     * /proc/self/fd while it reads it, whose numbers differ from one listing to the next.
     */
    static Map<Integer, String> open() {
        Map<Integer, String> open = new TreeMap<>(ProcFd.list());
        String listing = "/proc/" + ProcessHandle.current().pid() + "/fd";
        open.values().removeIf(target -> target.endsWith(".jar") || target.equals("anon_inode:[eventpoll]")
                || target.equals(listing));
        return open;
    }
}

package dev.socketpair;

import dev.socketpair.internal.libc.TestBindings;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Descriptors no channel owns (pipes, files, received ones): made, read and written with the C library's
 * pipe2, read and write, which the library has no use for, and closed and duplicated through the
 * internal layer.
 */
public final class RawFd {

    private static final CLibrary C = Platform.current().library();

    /** {@code int pipe2(int pipefd[2], int flags)} */
    private static final MethodHandle PIPE2 = NativeFunctions.downcall("pipe2",
            FunctionDescriptor.of(C.cInt(), C.cPointer(), C.cInt()));
    /** {@code ssize_t read(int fd, void *buf, size_t count)} */
    private static final MethodHandle READ = NativeFunctions.downcall("read",
            FunctionDescriptor.of(C.type("C_LONG"), C.cInt(), C.cPointer(), C.type("C_LONG")));
    /** {@code ssize_t write(int fd, const void *buf, size_t count)} */
    private static final MethodHandle WRITE = NativeFunctions.downcall("write",
            FunctionDescriptor.of(C.type("C_LONG"), C.cInt(), C.cPointer(), C.type("C_LONG")));

    private RawFd() {
    }

    /** A pipe: {@code [read end, write end]}, close-on-exec unless {@code cloexec} is false. */
    public static int[] pipe(boolean cloexec) {
        int flags = cloexec ? TestBindings.constant("O_CLOEXEC") : 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ends = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertThat(call(() -> (int) PIPE2.invokeExact(ends, flags))).as("pipe2").isZero();
            return ends.toArray(ValueLayout.JAVA_INT);
        }
    }

    /** Writes {@code bytes} with write(2), all of them. */
    static void write(int fd, byte... bytes) {
        try (Arena arena = Arena.ofConfined()) {
            long n = writeOnce(fd, arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes), bytes.length);
            assertThat(n).as("write(%d)", fd).isEqualTo(bytes.length);
        }
    }

    /** One write(2) of the first {@code count} bytes of {@code buffer}: what it returns, -1 if it failed. */
    static long writeOnce(int fd, MemorySegment buffer, long count) {
        return call(() -> (long) WRITE.invokeExact(fd, buffer, count));
    }

    /** Reads up to {@code max} bytes with one read(2). */
    static byte[] read(int fd, int max) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(max);
            long n = call(() -> (long) READ.invokeExact(fd, buffer, (long) max));
            assertThat(n).as("read(%d)", fd).isGreaterThanOrEqualTo(0);
            return buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private interface NativeCall {
        long call() throws Throwable;
    }

    /** Makes a downcall, which throws nothing but what the JVM itself may throw. */
    private static long call(NativeCall downcall) {
        try {
            return downcall.call();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * A socket pair made with the internal layer, as another library or a parent process would make it:
     * {@code [first, second]}; {@code SOCK_CLOEXEC} and {@code SOCK_NONBLOCK} may be OR-ed into {@code type}.
     */
    public static int[] socketpair(int domain, int type) {
        SocketControl.OpenedPair opened = SocketControl.openPair(domain, type, 0);
        assertThat(opened.failedCall()).as("%s: errno %d", opened.failedCall(), opened.errno()).isNull();
        return new int[] {opened.first(), opened.second()};
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

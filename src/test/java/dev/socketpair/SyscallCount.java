package dev.socketpair;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Counts one system call made by one thread, with the kernel's tracepoint for the call's entry
 * ({@code syscalls:sys_enter_<name>}) opened as a perf event of that thread: the count a
 * {@code perf stat -e syscalls:sys_enter_<name>} of the thread would give, read from within. Linux only,
 * and only where the kernel has syscall tracepoints, tracefs is mounted and the process may open a
 * tracepoint event (root, or {@code perf_event_paranoid} at -1).
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/perf_event_open.2.html">perf_event_open(2)</a>
 */
final class SyscallCount implements AutoCloseable {

    // Linux's user-space API (<linux/perf_event.h>): PERF_TYPE_TRACEPOINT, and PERF_ATTR_SIZE_VER0, the
    // first perf_event_attr, which every kernel takes: type, size and config, then fields left at 0
    // (counting at once, in the kernel as in user space). The library's bindings do not cover perf events,
    // which only this test helper uses.
    private static final int PERF_TYPE_TRACEPOINT = 2;
    private static final int PERF_ATTR_SIZE_VER0 = 64;
    private static final List<Path> TRACEFS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));

    private static final MethodHandle SYSCALL = NativeFunctions.downcall("syscall",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    private final int fd;

    private SyscallCount(int fd) {
        this.fd = fd;
    }

    /**
     * Starts counting the calling thread's calls of {@code syscall} (on a virtual thread, its carrier's,
     * which makes the calls).
     *
     * @return the count, or null if it cannot be had here; {@code why} then holds the reason
     */
    static SyscallCount ofCurrentThread(String syscall, StringBuilder why) {
        Long perfEventOpen = perfEventOpenNumber();
        if (perfEventOpen == null) {
            why.append("no perf_event_open number known for ").append(System.getProperty("os.arch"));
            return null;
        }
        Long id = tracepointId(syscall);
        if (id == null) {
            why.append("no tracepoint syscalls:sys_enter_").append(syscall).append(" in tracefs");
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(PERF_ATTR_SIZE_VER0, Long.BYTES);
            attr.set(ValueLayout.JAVA_INT, 0, PERF_TYPE_TRACEPOINT);
            attr.set(ValueLayout.JAVA_INT, 4, PERF_ATTR_SIZE_VER0);
            attr.set(ValueLayout.JAVA_LONG, 8, id);
            // pid 0, cpu -1: this thread, on whichever CPU it runs.
            long fd = (long) SYSCALL.invokeExact((long) perfEventOpen, attr, 0, -1, -1, 0L);
            if (fd < 0) {
                why.append("perf_event_open refused the tracepoint");
                return null;
            }
            return new SyscallCount((int) fd);
        } catch (Throwable t) {
            throw new AssertionError("perf_event_open", t);
        }
    }

    /** {@return the calls counted since the count began} */
    long value() {
        byte[] count = RawFd.read(fd, Long.BYTES);
        return ByteBuffer.wrap(count).order(ByteOrder.nativeOrder()).getLong();
    }

    @Override
    public void close() {
        RawFd.close(fd);
    }

    /** perf_event_open's number, which differs between architectures (no header the library binds has it). */
    private static Long perfEventOpenNumber() {
        if (!System.getProperty("os.name").equals("Linux")) {
            return null;
        }
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 298L;   // arch/x86/entry/syscalls/syscall_64.tbl
            case "aarch64" -> 241L;           // include/uapi/asm-generic/unistd.h
            default -> null;
        };
    }

    private static Long tracepointId(String syscall) {
        for (Path root : TRACEFS) {
            Path id = root.resolve("events/syscalls/sys_enter_" + syscall + "/id");
            try {
                return Long.parseLong(Files.readString(id).trim());
            } catch (IOException | SecurityException | NumberFormatException absent) {
                // try the next place
            }
        }
        return null;
    }
}

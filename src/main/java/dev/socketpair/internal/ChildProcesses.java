package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.Features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts child processes with posix_spawn(3) and waits for, reaps and signals them.
 *
 * <p>Placing descriptors. The child is given {@code sources[i]} at number {@code targets[i]} by file
 * actions that the C library runs in the child, in order:
 * <ol>
 * <li>chdir to the working directory, if any;
 * <li>dup2 of every source to a temporary number, the lowest from 3 up that is neither a source nor a
 *     target, so that no later dup2 can overwrite a source that another placement still needs (a swap
 *     of 3 and 4, or a source that is also a target); low numbers, since the C library refuses numbers
 *     at or above the descriptor limit;
 * <li>closefrom the number after the highest temporary (and after 2): every other descriptor, sources
 *     and descriptors inherited without close-on-exec from code outside this library included, whatever
 *     the targets are (a target at the highest number the limit allows is fine: the number closed from
 *     stays low);
 * <li>dup2 of every temporary number to its target: the numbers always differ, so dup2 clears
 *     close-on-exec on the target, which a dup2 of a number onto itself would not;
 * <li>close of every number from 3 up to the highest temporary that is not a target.
 * </ol>
 * Descriptors 0, 1 and 2 that are not targets are left as the parent has them.
 *
 * <p>Without closefrom. Where the C library lacks {@code posix_spawn_file_actions_addclosefrom_np}
 * (glibc before 2.34, musl, DragonFly, macOS), or {@link Features#closesFrom} says so (portable mode), step 3
 * closes instead, one by one, every descriptor above the highest temporary that is open without
 * close-on-exec when the file actions are made: exec closes the others. The open descriptors are read
 * from the system's directory of them ({@link Platform#openDescriptorsDirectory}: /proc/self/fd on
 * Linux), which takes one free descriptor for the listing (itself close-on-exec). A
 * descriptor that another thread opens without close-on-exec while a child starts escapes this: a
 * program that opens its descriptors close-on-exec, as this library does, loses nothing, and one that
 * does not leaks them into any program it runs by fork and exec as well. A descriptor numbered
 * at or above the descriptor limit (possible only where the limit was lowered after it was opened)
 * cannot be named in a file action, and is left to close-on-exec.
 */
public final class ChildProcesses {

    private static final CLibrary C = Platform.current().library();
    private static final MemoryLayout FILE_ACTIONS = C.type("posix_spawn_file_actions_t");
    private static final MemoryLayout ATTRIBUTES = C.type("posix_spawnattr_t");
    private static final MemoryLayout SIGSET = C.type("sigset_t");
    private static final int POSIX_SPAWN_SETSIGMASK = C.constant("POSIX_SPAWN_SETSIGMASK");
    private static final int POSIX_SPAWN_SETSIGDEF = C.constant("POSIX_SPAWN_SETSIGDEF");
    private static final int WEXITED = C.constant("WEXITED");
    private static final int WNOWAIT = C.constant("WNOWAIT");
    private static final int WNOHANG = C.constant("WNOHANG");
    private static final int CLD_EXITED = C.constant("CLD_EXITED");
    private static final int CLD_KILLED = C.constant("CLD_KILLED");
    private static final int CLD_DUMPED = C.constant("CLD_DUMPED");
    private static final int P_PID = C.constant("P_PID");
    private static final int SIGTERM = C.constant("SIGTERM");
    private static final int SIGKILL = C.constant("SIGKILL");
    private static final Platform.ChildStatusFields STATUS = Platform.current().childStatusFields();
    private static final int FIRST_NON_STDIO = 3;
    private static final Path OPEN_DESCRIPTORS = Path.of(Platform.current().openDescriptorsDirectory());

    /** The outcome of {@link #spawn}: a pid, or the call that failed and its error number. */
    public record Spawned(int pid, String failedCall, int error) {
        static Spawned failed(String call, int negativeError) {
            return new Spawned(0, call, -negativeError);
        }
    }

    private ChildProcesses() {
    }

    /**
     * Starts {@code argv[0]}, searched in the parent's PATH if it has no slash, with the given argument
     * vector, environment ("NAME=value" strings) and working directory (null: the parent's), and
     * descriptor {@code sources[i]} at {@code targets[i]}. Every number in {@code targets} must be
     * distinct and non-negative; every source must stay open for the call.
     *
     * @throws IOException if the C library lacks closefrom and /proc/self/fd cannot be listed (no
     *                     descriptor free for the listing, say)
     */
    public static Spawned spawn(List<String> argv, List<String> environment, String directory,
                                int[] targets, int[] sources, Charset charset) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment file = arena.allocateFrom(argv.get(0), charset);
            MemorySegment argvArray = stringArray(arena, argv, charset);
            MemorySegment envArray = stringArray(arena, environment, charset);
            MemorySegment pid = arena.allocate(C.cInt());

            MemorySegment actions = arena.allocate(FILE_ACTIONS);
            int r = Syscalls.posix_spawn_file_actions_init(actions);
            if (r < 0) {
                return Spawned.failed("posix_spawn_file_actions_init", r);
            }
            try {
                Spawned failed = addFileActions(arena, actions, directory, targets, sources, charset);
                if (failed != null) {
                    return failed;
                }
                MemorySegment attributes = arena.allocate(ATTRIBUTES);
                r = Syscalls.posix_spawnattr_init(attributes);
                if (r < 0) {
                    return Spawned.failed("posix_spawnattr_init", r);
                }
                try {
                    failed = setAttributes(arena, attributes);
                    if (failed != null) {
                        return failed;
                    }
                    r = Syscalls.posix_spawnp(pid, file, actions, attributes, argvArray, envArray);
                    if (r < 0) {
                        return Spawned.failed("posix_spawnp", r);
                    }
                    return new Spawned(pid.get(ValueLayout.JAVA_INT, 0), null, 0);
                } finally {
                    Syscalls.posix_spawnattr_destroy(attributes);
                }
            } finally {
                Syscalls.posix_spawn_file_actions_destroy(actions);
            }
        }
    }

    private static Spawned addFileActions(Arena arena, MemorySegment actions, String directory,
                                          int[] targets, int[] sources, Charset charset) throws IOException {
        int r;
        if (directory != null) {
            r = Syscalls.posix_spawn_file_actions_addchdir_np(actions, arena.allocateFrom(directory, charset));
            if (r < 0) {
                return Spawned.failed("posix_spawn_file_actions_addchdir_np", r);
            }
        }
        int[] temporaries = temporaries(sources, targets);
        int highestTemporary = FIRST_NON_STDIO - 1;
        for (int i = 0; i < targets.length; i++) {
            r = Syscalls.posix_spawn_file_actions_adddup2(actions, sources[i], temporaries[i]);
            if (r < 0) {
                return Spawned.failed("posix_spawn_file_actions_adddup2", r);
            }
            highestTemporary = Math.max(highestTemporary, temporaries[i]);
        }
        Spawned failed = closeAbove(actions, highestTemporary);
        if (failed != null) {
            return failed;
        }
        for (int i = 0; i < targets.length; i++) {
            r = Syscalls.posix_spawn_file_actions_adddup2(actions, temporaries[i], targets[i]);
            if (r < 0) {
                return Spawned.failed("posix_spawn_file_actions_adddup2", r);
            }
        }
        int[] sorted = targets.clone();
        Arrays.sort(sorted);
        for (int fd = FIRST_NON_STDIO; fd <= highestTemporary; fd++) {
            if (Arrays.binarySearch(sorted, fd) < 0) {
                r = Syscalls.posix_spawn_file_actions_addclose(actions, fd);
                if (r < 0) {
                    return Spawned.failed("posix_spawn_file_actions_addclose", r);
                }
            }
        }
        return null;
    }

    /**
     * Adds the file actions that close every descriptor numbered above {@code highest} in the child:
     * closefrom, or where the C library lacks it a close of each descriptor open here above
     * {@code highest} without close-on-exec.
     */
    private static Spawned closeAbove(MemorySegment actions, int highest) throws IOException {
        int r = Features.closesFrom()
                ? Syscalls.posix_spawn_file_actions_addclosefrom_np(actions, highest + 1)
                : -Errno.ENOSYS;
        if (r != -Errno.ENOSYS) {
            return r < 0 ? Spawned.failed("posix_spawn_file_actions_addclosefrom_np", r) : null;
        }
        for (int fd : openDescriptors()) {
            // EBADF from isCloseOnExec: closed since the listing (the listing's own descriptor, say).
            if (fd > highest && SocketControl.isCloseOnExec(fd) == 0) {
                r = Syscalls.posix_spawn_file_actions_addclose(actions, fd);
                // EBADF: a number at or above the descriptor limit, which no file action can name.
                if (r < 0 && r != -Errno.EBADF) {
                    return Spawned.failed("posix_spawn_file_actions_addclose", r);
                }
            }
        }
        return null;
    }

    /** The numbers of this process's open descriptors, as the system's directory of them lists them. */
    private static int[] openDescriptors() throws IOException {
        try (Stream<Path> entries = Files.list(OPEN_DESCRIPTORS)) {
            return entries.mapToInt(entry -> Integer.parseInt(entry.getFileName().toString())).toArray();
        } catch (IOException | UncheckedIOException e) {
            throw new IOException("cannot list the open descriptors to close them in the child: " + e.getMessage(), e);
        }
    }

    /** One temporary number per placement: the lowest from 3 up that are neither sources nor targets. */
    private static int[] temporaries(int[] sources, int[] targets) {
        int[] taken = new int[sources.length + targets.length];
        System.arraycopy(sources, 0, taken, 0, sources.length);
        System.arraycopy(targets, 0, taken, sources.length, targets.length);
        Arrays.sort(taken);
        int[] temporaries = new int[targets.length];
        int candidate = FIRST_NON_STDIO;
        for (int i = 0; i < temporaries.length; i++, candidate++) {
            while (Arrays.binarySearch(taken, candidate) >= 0) {
                candidate++;
            }
            temporaries[i] = candidate;
        }
        return temporaries;
    }

    /**
     * An empty signal mask and every signal's default disposition: the JVM blocks some signals and
     * ignores others, which a child would otherwise inherit through exec.
     */
    private static Spawned setAttributes(Arena arena, MemorySegment attributes) {
        MemorySegment none = arena.allocate(SIGSET);
        Syscalls.sigemptyset(none);
        MemorySegment all = arena.allocate(SIGSET);
        Syscalls.sigfillset(all);
        int r = Syscalls.posix_spawnattr_setsigmask(attributes, none);
        if (r < 0) {
            return Spawned.failed("posix_spawnattr_setsigmask", r);
        }
        r = Syscalls.posix_spawnattr_setsigdefault(attributes, all);
        if (r < 0) {
            return Spawned.failed("posix_spawnattr_setsigdefault", r);
        }
        r = Syscalls.posix_spawnattr_setflags(attributes,
                (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
        if (r < 0) {
            return Spawned.failed("posix_spawnattr_setflags", r);
        }
        return null;
    }

    /** A NULL-terminated array of pointers to NUL-terminated strings, as execve(2) takes. */
    private static MemorySegment stringArray(Arena arena, List<String> strings, Charset charset) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(strings.get(i), charset));
        }
        array.setAtIndex(ValueLayout.ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    /**
     * Blocks until child {@code pid} has exited, without reaping it ({@code WNOWAIT}): the pid stays
     * the child's, as a zombie, until {@link #reap}.
     *
     * @return 0, or {@code -errno}: {@code ECHILD} if something else has reaped it; EINTR is retried
     */
    public static int awaitExit(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            return waitid(pid, WEXITED | WNOWAIT, arena.allocate(STATUS.layout()), arena);
        }
    }

    /**
     * Reaps child {@code pid} if it has exited, without blocking.
     *
     * @return its exit status if it exited, 128 plus the signal number if a signal ended it,
     *         {@link Integer#MIN_VALUE} if it has not exited, or {@code -errno}
     */
    public static int reap(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(STATUS.layout());
            int r = waitid(pid, WEXITED | WNOHANG, info, arena);
            if (r < 0) {
                return r;
            }
            if (STATUS.pid().getInt(info) != pid) {
                return Integer.MIN_VALUE;
            }
            int status = STATUS.status().getInt(info);
            int code = STATUS.code().getInt(info);
            if (code == CLD_EXITED) {
                return status;
            }
            if (code == CLD_KILLED || code == CLD_DUMPED) {
                return 128 + status;
            }
            throw new AssertionError("waitid(WEXITED) reported si_code " + code);
        }
    }

    /** waitid(2) for child {@code pid} with {@code options}, retried on EINTR. @return 0, or {@code -errno} */
    private static int waitid(int pid, int options, MemorySegment info, Arena arena) {
        MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
        int r;
        do {
            r = Syscalls.waitid(P_PID, pid, info, options, capture);
        } while (r == -Errno.EINTR);
        return r;
    }

    /**
     * Sends {@code signal} to {@code pid}.
     *
     * @return 0, or {@code -errno}
     */
    public static int kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            return Syscalls.kill(pid, signal, Syscalls.allocateErrnoCapture(arena));
        }
    }

    /** {@code SIGTERM}, the request to end. */
    public static int sigterm() {
        return SIGTERM;
    }

    /** {@code SIGKILL}, which cannot be caught. */
    public static int sigkill() {
        return SIGKILL;
    }
}

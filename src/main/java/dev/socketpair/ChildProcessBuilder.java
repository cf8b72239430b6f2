package dev.socketpair;

import dev.socketpair.internal.ChildProcesses;
import dev.socketpair.internal.platform.Platforms;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Starts child processes that inherit chosen sockets and descriptors at chosen numbers: what
 * {@link ProcessBuilder} cannot do, since it closes every descriptor above 2 in the child and connects
 * standard input and output only to pipes and files.
 *
 * {@snippet :
 * try (SocketPair pair = SocketPair.open()) {
 *     Process child = new ChildProcessBuilder("python3", "worker.py")
 *             .place(3, pair.second())        // the child's descriptor 3 is this socket
 *             .start();
 *     pair.second().close();                  // the child has its own copy now
 *     pair.first().write(ByteBuffer.wrap(request));
 *     pair.first().read(reply);
 *     int status = child.waitFor();
 * }
 * }
 *
 * <p><b>Descriptors in the child.</b> The child has exactly the descriptors placed with
 * {@link #place(int, UnixSocketChannel)} and {@link #placeDescriptor(int, int)}, at the numbers given,
 * with close-on-exec cleared; and descriptors 0, 1 and 2, where not placed, as this process has them
 * (as {@link ProcessBuilder#inheritIO()} would give them). Every other descriptor is closed in the child
 * before the program runs, whether or not it is close-on-exec: those of this library, of the JDK, and
 * of native code alike. Each placed descriptor is first copied to a free low number, everything above
 * those copies is closed with glibc's {@code posix_spawn_file_actions_addclosefrom_np}
 * (close_range(2)), and the copies are then moved to their numbers: the cost does not grow with the
 * numbers placed, and any number below the descriptor limit can be placed. Where the C library lacks
 * that function (glibc before 2.34, musl, DragonFly, macOS), every descriptor open in this process
 * without close-on-exec is closed one by one instead, as /proc/self/fd (/dev/fd on the BSDs and macOS)
 * lists them when the child starts: exec closes the
 * others. A descriptor that another thread opens without close-on-exec while the child starts may then
 * reach the child. A placed
 * descriptor shares its open file with this process: its file offset, its {@code O_NONBLOCK} flag (a
 * non-blocking channel gives the child a non-blocking socket) and, for a socket, its data. Placing is
 * done so that numbers that are both source and target (placing 3 at 4 and 4 at 3) each get the right
 * descriptor.
 *
 * <p><b>The process.</b> {@link #start()} runs the program with posix_spawn(3); the child starts with an
 * empty signal mask and every signal at its default disposition, whatever the JVM blocks, handles or
 * ignores (except the two real-time signals glibc reserves for itself, which glibc's posix_spawn leaves
 * ignored). The program is searched in this process's {@code PATH} if its name has no slash, as
 * {@link ProcessBuilder} does. The returned {@link Process} has no pipes: its streams are empty, as
 * {@link ProcessBuilder}'s are for inherited standard streams. A daemon thread per child waits for its
 * exit and reaps it exactly once; code that reaps children behind its back (native {@code waitpid(-1)},
 * or {@code SIGCHLD} set to be ignored) takes the exit status away, and the process then reports 0, as
 * the JDK's do.
 *
 * <p>Strings (program, arguments, environment, directory) are encoded with the charset the JDK uses for
 * file names ({@code sun.jnu.encoding}).
 *
 * <p>A builder is not safe for use by several threads without synchronisation, like
 * {@link ProcessBuilder}; {@link #start()} may be called any number of times, each call starting a new
 * child with the builder's attributes at that moment.
 *
 * @see <a href="https://man7.org/linux/man-pages/man3/posix_spawn.3.html">posix_spawn(3)</a>
 */
public final class ChildProcessBuilder {

    private List<String> command;
    private Path directory;
    private Map<String, String> environment;
    // Child descriptor number -> a UnixSocketChannel or an Integer (a raw descriptor), by number.
    private final Map<Integer, Object> placements = new TreeMap<>();

    /**
     * Creates a builder for the given program and arguments. Does not block.
     *
     * @param command the program and its arguments; the list itself is used, not a copy
     * @throws NullPointerException if {@code command} is null
     */
    public ChildProcessBuilder(List<String> command) {
        this.command = Objects.requireNonNull(command, "command");
    }

    /**
     * Creates a builder for the given program and arguments. Does not block.
     *
     * @param command the program and its arguments
     * @throws NullPointerException if {@code command} is null
     */
    public ChildProcessBuilder(String... command) {
        this.command = new ArrayList<>(Arrays.asList(command));
    }

    /**
     * Sets the program and its arguments. Does not block.
     *
     * @param command the program and its arguments; the list itself is used, not a copy
     * @return this builder
     * @throws NullPointerException if {@code command} is null
     */
    public ChildProcessBuilder command(List<String> command) {
        this.command = Objects.requireNonNull(command, "command");
        return this;
    }

    /**
     * Sets the program and its arguments. Does not block.
     *
     * @param command the program and its arguments
     * @return this builder
     * @throws NullPointerException if {@code command} is null
     */
    public ChildProcessBuilder command(String... command) {
        this.command = new ArrayList<>(Arrays.asList(command));
        return this;
    }

    /**
     * Returns the program and its arguments, a list that changes this builder when changed. Does not
     * block.
     *
     * @return the command list
     */
    public List<String> command() {
        return command;
    }

    /**
     * Sets the child's working directory; {@code null}, the default, means this process's. A relative
     * path is resolved against this process's working directory, and a program name with a slash but
     * not absolute against the child's. Does not block.
     *
     * @param directory the working directory, or null
     * @return this builder
     */
    public ChildProcessBuilder directory(Path directory) {
        this.directory = directory;
        return this;
    }

    /**
     * Returns the child's working directory, or null for this process's. Does not block.
     *
     * @return the working directory, or null
     */
    public Path directory() {
        return directory;
    }

    /**
     * Returns the child's environment: a mutable map, first a copy of this process's environment
     * ({@link System#getenv()}), that changes what {@link #start()} passes. Does not block.
     *
     * @return the environment map
     */
    public Map<String, String> environment() {
        if (environment == null) {
            environment = new HashMap<>(System.getenv());
        }
        return environment;
    }

    /**
     * Places {@code channel}'s socket at descriptor {@code childFd} in the child, replacing what was
     * placed there before. The channel must be open when {@link #start()} is called, which holds it open
     * for the call; the child's descriptor refers to the same socket, and stays open in the child when
     * the channel is closed here. Does not block.
     *
     * @param childFd the descriptor number in the child: 0, 1, 2 for standard input, output, error, or
     *                any higher number
     * @param channel the socket to give the child
     * @return this builder
     * @throws IllegalArgumentException if {@code childFd} is negative
     * @throws NullPointerException     if {@code channel} is null
     */
    public ChildProcessBuilder place(int childFd, UnixSocketChannel channel) {
        checkChildFd(childFd);
        placements.put(childFd, Objects.requireNonNull(channel, "channel"));
        return this;
    }

    /**
     * Places descriptor {@code fd} of this process, of any kind (pipe, file, socket), at descriptor
     * {@code childFd} in the child, replacing what was placed there before. {@code fd} must be open when
     * {@link #start()} is called; nothing holds it open, so the caller must not close it concurrently.
     * Does not block.
     *
     * @param childFd the descriptor number in the child
     * @param fd      the descriptor of this process
     * @return this builder
     * @throws IllegalArgumentException if {@code childFd} or {@code fd} is negative
     */
    public ChildProcessBuilder placeDescriptor(int childFd, int fd) {
        checkChildFd(childFd);
        if (fd < 0) {
            throw new IllegalArgumentException("negative descriptor: " + fd);
        }
        placements.put(childFd, fd);
        return this;
    }

    /**
     * Removes whatever was placed at {@code childFd}: the child will not have that descriptor (or, for
     * 0, 1 and 2, will have this process's). Does not block.
     *
     * @param childFd the descriptor number in the child
     * @return this builder
     */
    public ChildProcessBuilder unplace(int childFd) {
        placements.remove(childFd);
        return this;
    }

    private static void checkChildFd(int childFd) {
        if (childFd < 0) {
            throw new IllegalArgumentException("negative child descriptor: " + childFd);
        }
    }

    /**
     * Starts a child process with this builder's command, directory, environment and placements.
     *
     * <p>Blocks only while posix_spawn(3) runs: glibc's child shares this process's memory until it has
     * run the file actions and exec'd the program, so the call returns once the program runs, or with
     * the error that prevented it; a failed child never runs and has been reaped when this method
     * throws. The placed channels are held open for the call (a concurrent close of one waits for it).
     * Not safe for use with concurrent changes to this builder.
     *
     * @return the new process
     * @throws IllegalStateException    if the command is empty
     * @throws IllegalArgumentException if the command, an environment name or value contains a NUL
     *                                  character, or an environment name is empty or contains {@code =}
     * @throws NullPointerException     if an element of the command, or an environment name or value, is
     *                                  null
     * @throws ClosedChannelException   if a placed channel is closed
     * @throws ErrnoException           if the child could not be started: {@code ENOENT} if the program or
     *                                  the working directory does not exist, {@code EACCES} if the program
     *                                  is not executable or the directory not searchable, {@code ENOTDIR}
     *                                  if the directory is not a directory, {@code EBADF} if a placed raw
     *                                  descriptor is not open, {@code EAGAIN} or {@code ENOMEM} if the
     *                                  system cannot make another process, {@code ENOSYS} if a working
     *                                  directory is set and the C library lacks
     *                                  {@code posix_spawn_file_actions_addchdir_np} (glibc before 2.29);
     *                                  the message names the program and the directory
     * @throws IOException              if some other I/O error occurs, such as /proc/self/fd failing to
     *                                  list where the C library lacks closefrom (no descriptor free)
     * @throws UnsupportedOperationException if the library has no bindings for this operating system,
     *                                  architecture or C library
     */
    public Process start() throws IOException {
        Platforms.requireSupported();
        List<String> argv = List.copyOf(command);
        if (argv.isEmpty()) {
            throw new IllegalStateException("empty command");
        }
        for (String arg : argv) {
            checkNoNul(arg, "command");
        }
        List<String> env = environmentStrings();
        String dir = directory == null ? null : directory.toString();
        if (dir != null) {
            checkNoNul(dir, "directory");
        }

        int[] targets = new int[placements.size()];
        int[] sources = new int[placements.size()];
        List<UnixSocketChannel> held = new ArrayList<>();
        try {
            int i = 0;
            for (Map.Entry<Integer, Object> placement : placements.entrySet()) {
                targets[i] = placement.getKey();
                if (placement.getValue() instanceof UnixSocketChannel channel) {
                    int fd = channel.hold();
                    if (fd < 0) {
                        throw new ClosedChannelException();
                    }
                    held.add(channel);
                    sources[i] = fd;
                } else {
                    sources[i] = (Integer) placement.getValue();
                }
                i++;
            }
            ChildProcesses.Spawned spawned =
                    ChildProcesses.spawn(argv, env, dir, targets, sources, fileNameCharset());
            if (spawned.failedCall() != null) {
                throw Errors.exception(spawned.failedCall(), spawned.error(),
                        "program \"" + argv.get(0) + "\"" + (dir == null ? "" : " in directory \"" + dir + "\""));
            }
            return new ChildProcess(spawned.pid());
        } finally {
            for (UnixSocketChannel channel : held) {
                channel.releaseHold();
            }
        }
    }

    private List<String> environmentStrings() {
        Map<String, String> env = environment != null ? environment : System.getenv();
        List<String> strings = new ArrayList<>(env.size());
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "environment name");
            String value = Objects.requireNonNull(e.getValue(), "environment value");
            if (name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("invalid environment name: \"" + name + "\"");
            }
            checkNoNul(name, "environment name");
            checkNoNul(value, "environment value");
            strings.add(name + "=" + value);
        }
        return strings;
    }

    private static void checkNoNul(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL character in " + what);
        }
    }

    /** The charset the JDK encodes file names in, and so a {@code Path} into a system call's bytes. */
    static Charset fileNameCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (IllegalArgumentException unsupported) {
            return Charset.defaultCharset();
        }
    }
}

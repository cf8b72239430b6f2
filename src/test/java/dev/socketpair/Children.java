package dev.socketpair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs child processes for tests and reads what the kernel says about this process's children. */
final class Children {

    private Children() {
    }

    /** A builder for {@code python3 -c script args...}. */
    static ChildProcessBuilder python(String script, String... args) {
        ChildProcessBuilder builder = new ChildProcessBuilder("python3", "-c", script);
        builder.command().addAll(Arrays.asList(args));
        return builder;
    }

    /**
     * Starts {@code builder} with a socket at the child's standard output, reads everything the child
     * writes until it exits, and checks that it exits with 0.
     */
    static String output(ChildProcessBuilder builder) throws Exception {
        try (SocketPair out = SocketPair.open()) {
            Process child = builder.place(1, out.second()).start();
            out.second().close();
            String text = readAll(out.first());
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child exited").isTrue();
            assertThat(child.exitValue()).as("exit value of %s", builder.command()).isZero();
            return text;
        }
    }

    /** Reads from {@code channel} until end of stream. */
    static String readAll(UnixSocketChannel channel) throws IOException {
        StringBuilder text = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (channel.read(buffer.clear()) >= 0) {
            text.append(StandardCharsets.UTF_8.decode(buffer.flip()));
        }
        return text.toString();
    }

    /** What a test does with the end of a socket pair that a child made and sent here. */
    @FunctionalInterface
    interface EndFromChild {
        void accept(Process child, UnixSocketChannel end) throws Exception;
    }

    /**
     * Starts a python child that runs {@code setup} (with {@code os}, {@code socket} and {@code sys}
     * imported, and {@code args} in {@code sys.argv[1:]}), then makes a socket pair and sends one end
     * here; gives {@code test} that end, adopted, while the child waits; then lets the child exit and
     * checks that it exits with 0.
     */
    static void withEndMadeByChild(String setup, List<String> args, EndFromChild test) throws Exception {
        try (SocketPair link = SocketPair.open()) {
            Process child = python("import os, socket, sys\n"
                    + "link = socket.socket(fileno=3)\n"
                    + setup
                    + "kept, sent = socket.socketpair()\n"
                    + "socket.send_fds(link, [b'p'], [sent.fileno()])\n"
                    + "link.recv(1)\n", args.toArray(String[]::new)).place(3, link.second()).start();
            link.second().close();
            try (ReceivedMessage message = link.first().receive(ByteBuffer.allocate(1), 1);
                 UnixSocketChannel end = message.adoptChannel(0)) {
                test.accept(child, end);
            }
            link.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child exited").isTrue();
            assertThat(child.exitValue()).isZero();
        }
    }

    /** This process's children by pid, with their state letter from /proc/[pid]/stat ('Z' for a zombie). */
    static Map<Long, Character> ofThisProcess() {
        long self = ProcessHandle.current().pid();
        Map<Long, Character> children = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                String stat = stat(p);
                if (stat != null) {
                    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(fields[1]) == self) {
                        children.put(Long.parseLong(p.getFileName().toString()), fields[0].charAt(0));
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return children;
    }

    /** The state letter of process {@code pid}, or null if it no longer exists (it was reaped). */
    static Character state(long pid) {
        String stat = stat(Path.of("/proc", Long.toString(pid)));
        return stat == null ? null : stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private static String stat(Path process) {
        try {
            return Files.readString(process.resolve("stat"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // The process went away between listing and reading.
            return null;
        }
    }
}

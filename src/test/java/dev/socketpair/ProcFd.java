package dev.socketpair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the kernel says about this process's descriptors, from /proc/self/fd. */
public final class ProcFd {

    private static final Path FD_DIR = Path.of("/proc/self/fd");

    private ProcFd() {
    }

    /** Every open descriptor and what it refers to ("socket:[1234]", "/some/file", ...). */
    public static Map<Integer, String> list() {
        Map<Integer, String> open = new TreeMap<>();
        try (Stream<Path> entries = Files.list(FD_DIR)) {
            entries.forEach(p -> {
                String target = target(p);
                if (target != null) {
                    open.put(Integer.parseInt(p.getFileName().toString()), target);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return open;
    }

    /** Every open socket, by descriptor number. */
    static Map<Integer, String> sockets() {
        Map<Integer, String> open = list();
        open.values().removeIf(target -> !target.startsWith("socket:"));
        return open;
    }

    /** Returns the descriptor this process has open on {@code file}. */
    static int find(Path file) {
        return list().entrySet().stream().filter(e -> e.getValue().equals(file.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("no descriptor open on " + file)).getKey();
    }

    /** Returns true if {@code fd} is open and is a socket. */
    static boolean isOpenSocket(int fd) {
        String target = target(FD_DIR.resolve(Integer.toString(fd)));
        return target != null && target.startsWith("socket:");
    }

    /** What {@code fd} refers to ("socket:[1234]", "pipe:[5678]", "/some/file"), or null if it is not open. */
    public static String target(int fd) {
        return target(FD_DIR.resolve(Integer.toString(fd)));
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // The directory stream's own descriptor is gone by the time it is read.
            return null;
        }
    }

    /** The descriptors an epoll set watches, as /proc/self/fdinfo lists them ("tfd: N ..."). */
    static List<Integer> epollTargets(int epfd) {
        List<Integer> fds = new ArrayList<>();
        for (String line : epollLines(epfd)) {
            fds.add(Integer.parseInt(line.substring(4).trim().split("\\s+")[0]));
        }
        return fds;
    }

    /**
     * Whether any epoll set of this process watches socket {@code fd} under its number: a "tfd" line for
     * the number whose inode ("ino:", hexadecimal) is the socket's ("socket:[inode]", decimal).
     */
    static boolean watchedByAnyEpollSet(int fd, String socketTarget) {
        long inode = Long.parseLong(socketTarget.substring("socket:[".length(), socketTarget.length() - 1));
        for (Map.Entry<Integer, String> open : list().entrySet()) {
            if (!open.getValue().equals("anon_inode:[eventpoll]")) {
                continue;
            }
            for (String line : epollLines(open.getKey())) {
                String[] fields = line.substring(4).trim().split("\\s+");
                long watchedInode = -1;
                for (String field : fields) {
                    if (field.startsWith("ino:")) {
                        watchedInode = Long.parseLong(field.substring(4), 16);
                    }
                }
                if (Integer.parseInt(fields[0]) == fd && watchedInode == inode) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> epollLines(int epfd) {
        try {
            return Files.readAllLines(Path.of("/proc/self/fdinfo/" + epfd)).stream()
                    .filter(line -> line.startsWith("tfd:")).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The soft limit of open descriptors ({@code RLIMIT_NOFILE}), from /proc/self/limits. */
    static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no open files limit in /proc/self/limits");
    }
}

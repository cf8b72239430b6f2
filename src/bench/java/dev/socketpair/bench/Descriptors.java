package dev.socketpair.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The process's open descriptors and its limit on them, as /proc reports them. */
final class Descriptors {

    /** The descriptor limit every benchmark JVM asks for; the hard limit, if lower, is what it gets. */
    static final int WANTED_LIMIT = 65536;

    private Descriptors() {
    }

    /** The number of descriptors open in this process. */
    static int open() {
        // The listing's own descriptor is in the listing.
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The soft limit on open descriptors (RLIMIT_NOFILE). */
    static int softLimit() {
        return limit(3);
    }

    /** The hard limit on open descriptors, up to which a process may raise its soft limit. */
    static int hardLimit() {
        return limit(4);
    }

    /** The soft limit a benchmark JVM runs with: {@link #WANTED_LIMIT}, or the hard limit if lower. */
    static int benchmarkLimit() {
        return Math.min(WANTED_LIMIT, hardLimit());
    }

    /** The shell line that sets that limit before a benchmark JVM starts, or fails saying why. */
    static String raiseLimitCommand() {
        return "ulimit -n " + WANTED_LIMIT + " 2>/dev/null || ulimit -n \"$(ulimit -Hn)\""
                + " || { echo 'cannot raise the descriptor limit' >&2; exit 1; }";
    }

    /** A column of the "Max open files" line of /proc/self/limits. */
    private static int limit(int column) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String value = line.trim().split("\\s+")[column];
                    return value.equals("unlimited") ? Integer.MAX_VALUE : Integer.parseInt(value);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no \"Max open files\" in /proc/self/limits");
    }
}

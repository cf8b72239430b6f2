package dev.socketpair.internal;

import dev.socketpair.internal.libc.ErrnoValues;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Errno values the library acts on, and the symbolic name ("EPIPE") and description of any errno.
 *
 * <p>The table is read from the generated {@link ErrnoValues}, which holds every {@code E*} constant of
 * {@code <errno.h>} with a number of its own and nothing else (see {@code jextract-config/errno.args};
 * aliases such as EWOULDBLOCK are left out), so names and numbers can never drift apart and no number
 * is written here.
 */
public final class Errno {

    private static final Pattern ERRNO_NAME = Pattern.compile("E[A-Z0-9]+");

    /** Try again: the call would block. */
    public static final int EAGAIN = ErrnoValues.EAGAIN();
    /** Interrupted by a signal before anything happened. */
    public static final int EINTR = ErrnoValues.EINTR();
    /** The descriptor is not open. */
    public static final int EBADF = ErrnoValues.EBADF();
    /** No such child: it was reaped already. */
    public static final int ECHILD = ErrnoValues.ECHILD();
    /** An address outside the process. */
    public static final int EFAULT = ErrnoValues.EFAULT();
    /** The function is not implemented: here, one the C library lacks. */
    public static final int ENOSYS = ErrnoValues.ENOSYS();
    /** The peer closed the connection with data still unread. */
    public static final int ECONNRESET = ErrnoValues.ECONNRESET();

    private Errno() {
    }

    /**
     * Returns the symbolic name of an errno value, or {@code "errno N"} for a number the C library does
     * not define.
     */
    public static String name(int errno) {
        String name = Table.NAMES.get(errno);
        return name != null ? name : "errno " + errno;
    }

    /** Returns the C library's description of an errno value ({@code strerror}). */
    public static String description(int errno) {
        return Syscalls.strerror(errno);
    }

    /** Returns the number of every name the table knows, for tests that walk it. */
    public static Map<Integer, String> all() {
        return Table.NAMES;
    }

    /** Built on first use: an error path, never start-up, pays for the reflection. */
    private static final class Table {
        static final Map<Integer, String> NAMES = read();

        private static Map<Integer, String> read() {
            Map<Integer, String> names = new HashMap<>();
            for (Method m : ErrnoValues.class.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                        && m.getReturnType() == int.class && ERRNO_NAME.matcher(m.getName()).matches()) {
                    String previous = names.put(invoke(m), m.getName());
                    if (previous != null) {
                        throw new AssertionError("two errno names for one number: " + previous + ", " + m.getName());
                    }
                }
            }
            return Map.copyOf(names);
        }

        private static int invoke(Method constant) {
            try {
                return (int) constant.invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("generated constant " + constant.getName() + " is not readable", e);
            }
        }
    }
}

package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;

/**
 * Errno values the library acts on, and the symbolic name ("EPIPE") and description of any errno.
 *
 * <p>The table is read from the running system's generated {@code ErrnoValues}, which holds every {@code E*} constant of
 * {@code <errno.h>} with a number of its own and nothing else (see {@code jextract-config/errno.args};
 * aliases such as EWOULDBLOCK are left out), so names and numbers can never drift apart and no number
 * is written here.
 */
public final class Errno {

    private static final CLibrary C = Platform.current().library();

    /** Try again: the call would block. */
    public static final int EAGAIN = C.errno("EAGAIN");
    /** Interrupted by a signal before anything happened. */
    public static final int EINTR = C.errno("EINTR");
    /** The descriptor is not open. */
    public static final int EBADF = C.errno("EBADF");
    /** No such child: it was reaped already. */
    public static final int ECHILD = C.errno("ECHILD");
    /** An address outside the process. */
    public static final int EFAULT = C.errno("EFAULT");
    /** The function is not implemented: here, one the C library lacks. */
    public static final int ENOSYS = C.errno("ENOSYS");
    /** The peer closed the connection with data still unread. */
    public static final int ECONNRESET = C.errno("ECONNRESET");
    /** A write to a connection whose peer has gone. */
    public static final int EPIPE = C.errno("EPIPE");

    private Errno() {
    }

    /**
     * Returns the symbolic name of an errno value, or {@code "errno N"} for a number the C library does
     * not define. The table is read when first needed: an error path, never start-up, pays for it.
     */
    public static String name(int errno) {
        String name = C.errnoNames().get(errno);
        return name != null ? name : "errno " + errno;
    }

    /** Returns the C library's description of an errno value ({@code strerror}). */
    public static String description(int errno) {
        return Syscalls.strerror(errno);
    }
}

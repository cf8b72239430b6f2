package dev.socketpair;

import dev.socketpair.internal.Errno;

/**
 * Turns the errno of a failed call into the exception a SocketChannel user expects: the one place that
 * decides what an errno means to Java code.
 */
final class Errors {

    private Errors() {
    }

    /** For calls on a descriptor the caller handed in, where any errno is the caller's to see. */
    static ErrnoException exception(String syscall, int errno) {
        return new ErrnoException(syscall, errno);
    }

    /** As {@link #exception(String, int)}, with what the call was about (a program, a directory). */
    static ErrnoException exception(String syscall, int errno, String detail) {
        return new ErrnoException(syscall, errno, detail);
    }

    /**
     * For calls on a descriptor a channel owns and holds open for the call. EBADF there means the number
     * was closed behind the channel's back, EFAULT that the library passed a bad address: neither may
     * pass as an ordinary I/O error.
     */
    static ErrnoException onOwnDescriptor(String syscall, int errno) {
        ErrnoException e = new ErrnoException(syscall, errno);
        if (errno == Errno.EBADF || errno == Errno.EFAULT) {
            throw new AssertionError("descriptor owned by a channel failed with " + e.errnoName()
                    + ": it was closed outside the channel, or this is a bug", e);
        }
        return e;
    }
}

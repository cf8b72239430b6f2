package dev.socketpair.internal;

import dev.socketpair.internal.libc.Libc;

/** The platform's socket constants that the public API names, taken from the generated bindings. */
public final class SocketConstants {

    /** {@code AF_UNIX}, the only domain socketpair(2) supports on every platform. */
    public static final int AF_UNIX = Libc.AF_UNIX();
    /** {@code AF_INET}: has no socket pairs (EOPNOTSUPP); named for callers that show so. */
    public static final int AF_INET = Libc.AF_INET();
    /** {@code SOCK_STREAM} */
    public static final int SOCK_STREAM = Libc.SOCK_STREAM();
    /** {@code SOCK_DGRAM} */
    public static final int SOCK_DGRAM = Libc.SOCK_DGRAM();
    /** {@code SOCK_SEQPACKET} */
    public static final int SOCK_SEQPACKET = Libc.SOCK_SEQPACKET();
    /** {@code SOCK_NONBLOCK}: a flag OR-ed into the type. */
    public static final int SOCK_NONBLOCK = Libc.SOCK_NONBLOCK();
    /** {@code SOCK_CLOEXEC}: a flag OR-ed into the type. */
    public static final int SOCK_CLOEXEC = Libc.SOCK_CLOEXEC();

    /** {@code MSG_TRUNC} in recvmsg's {@code msg_flags}: the message was longer than the buffer. */
    public static final int MSG_TRUNC = Libc.MSG_TRUNC();
    /** {@code MSG_CTRUNC} in recvmsg's {@code msg_flags}: ancillary data did not fit its buffer. */
    public static final int MSG_CTRUNC = Libc.MSG_CTRUNC();

    private SocketConstants() {
    }
}

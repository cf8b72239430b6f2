package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;

/** The platform's socket constants that the public API names, taken from the generated bindings. */
public final class SocketConstants {

    private static final CLibrary C = Platform.current().library();

    /** {@code AF_UNIX}, the only domain socketpair(2) supports on every platform. */
    public static final int AF_UNIX = C.constant("AF_UNIX");
    /** {@code SOCK_STREAM} */
    public static final int SOCK_STREAM = C.constant("SOCK_STREAM");
    /** {@code SOCK_DGRAM} */
    public static final int SOCK_DGRAM = C.constant("SOCK_DGRAM");
    /** {@code SOCK_SEQPACKET} */
    public static final int SOCK_SEQPACKET = C.constant("SOCK_SEQPACKET");
    /**
     * {@code SOCK_NONBLOCK}: a flag OR-ed into the type. Where the system has none (macOS), a bit of the
     * library's own that no system's socket type uses, which is taken out of the type before the call.
     */
    public static final int SOCK_NONBLOCK = C.hasConstant("SOCK_NONBLOCK") ? C.constant("SOCK_NONBLOCK") : 1 << 29;
    /** {@code SOCK_CLOEXEC}: a flag OR-ed into the type; as {@link #SOCK_NONBLOCK} where the system has none. */
    public static final int SOCK_CLOEXEC = C.hasConstant("SOCK_CLOEXEC") ? C.constant("SOCK_CLOEXEC") : 1 << 28;

    /** {@code MSG_TRUNC} in recvmsg's {@code msg_flags}: the message was longer than the buffer. */
    public static final int MSG_TRUNC = C.constant("MSG_TRUNC");
    /** {@code MSG_CTRUNC} in recvmsg's {@code msg_flags}: ancillary data did not fit its buffer. */
    public static final int MSG_CTRUNC = C.constant("MSG_CTRUNC");

    private SocketConstants() {
    }
}

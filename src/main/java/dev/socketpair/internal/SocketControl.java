package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Features;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.StructField;
import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.GroupLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Creation of socket pairs and the calls that read or change a socket's state rather than move data:
 * descriptor flags, socket options, shutdown, names.
 *
 * <p>These calls are rare, may come from any thread, and are not serialised with reads and writes, so
 * each one captures errno into memory of its own call. Each returns a non-negative result or
 * {@code -errno}.
 */
public final class SocketControl {

    private static final CLibrary C = Platform.current().library();
    private static final int F_DUPFD_CLOEXEC = C.constant("F_DUPFD_CLOEXEC");
    private static final int F_GETFL = C.constant("F_GETFL");
    private static final int F_SETFL = C.constant("F_SETFL");
    private static final int F_GETFD = C.constant("F_GETFD");
    private static final int F_SETFD = C.constant("F_SETFD");
    private static final int SHUT_RD = C.constant("SHUT_RD");
    private static final int SHUT_WR = C.constant("SHUT_WR");
    /** The request as the unsigned number C passes ({@code _IOR} on the BSDs and macOS). */
    private static final long FIONREAD = Integer.toUnsignedLong(C.constant("FIONREAD"));

    /**
     * Integer socket options at level {@code SOL_SOCKET}. An option the system lacks
     * ({@code SO_DOMAIN} on macOS and DragonFly, {@code SO_PASSCRED} off Linux) fails as the kernel
     * fails an option it does not know, with {@code ENOPROTOOPT}, without a call.
     */
    public enum IntOption {
        /** {@code SO_TYPE}: the socket type, read-only. */
        TYPE("SO_TYPE"),
        /** {@code SO_DOMAIN}: the address family, read-only. */
        DOMAIN("SO_DOMAIN"),
        /** {@code SO_SNDBUF}: the send buffer size. */
        SEND_BUFFER("SO_SNDBUF"),
        /** {@code SO_RCVBUF}: the receive buffer size. */
        RECEIVE_BUFFER("SO_RCVBUF"),
        /** {@code SO_PASSCRED}: whether received messages carry the sender's credentials; 0 or 1. */
        PASS_CREDENTIALS("SO_PASSCRED"),
        /** {@code SO_ERROR}: the pending socket error, read-only; reading clears it. */
        ERROR("SO_ERROR");

        /** The option's number, or -1 where the system lacks it. */
        final int name;

        IntOption(String constant) {
            this.name = C.hasConstant(constant) ? C.constant(constant) : -1;
        }

        /** {@return whether the system has this option} */
        public boolean exists() {
            return name >= 0;
        }
    }

    private static final int SOL_SOCKET = C.constant("SOL_SOCKET");
    private static final int ENOPROTOOPT = C.errno("ENOPROTOOPT");
    private static final int O_NONBLOCK = C.constant("O_NONBLOCK");
    private static final int FD_CLOEXEC = C.constant("FD_CLOEXEC");

    private SocketControl() {
    }

    /**
     * The outcome of {@link #openPair}: the two descriptors, or the call that failed ({@code "socketpair"}
     * or {@code "fcntl"}) and its errno, with nothing left open.
     */
    public record OpenedPair(int first, int second, String failedCall, int errno) {
        static OpenedPair failed(String call, int negativeErrno) {
            return new OpenedPair(-1, -1, call, -negativeErrno);
        }
    }

    /**
     * Calls socketpair(2); {@code SOCK_CLOEXEC} and {@code SOCK_NONBLOCK} may be OR-ed into
     * {@code type}, and are applied atomically where {@link Features#atomicSocketFlags} says so, with
     * fcntl(2) after the call where not.
     */
    public static OpenedPair openPair(int domain, int type, int protocol) {
        return openPair(domain, type, protocol, Features.atomicSocketFlags());
    }

    /**
     * Calls socketpair(2) with {@code type} as given if {@code atomicFlags}; otherwise with the
     * {@code SOCK_CLOEXEC} and {@code SOCK_NONBLOCK} bits of {@code type} cleared, and then sets
     * {@code FD_CLOEXEC} and {@code O_NONBLOCK} on both descriptors as those bits asked. Every other bit
     * of {@code type} goes to the kernel unchanged, which refuses the ones it does not know.
     *
     * <p>Without atomic flags there is a window between socketpair and fcntl in which a child that
     * another thread forks and execs inherits the descriptors; if an fcntl fails, both are closed.
     */
    public static OpenedPair openPair(int domain, int type, int protocol, boolean atomicFlags) {
        int flags = type & (SocketConstants.SOCK_CLOEXEC | SocketConstants.SOCK_NONBLOCK);
        int first;
        int second;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sv = arena.allocate(ValueLayout.JAVA_INT, 2);
            int r = Syscalls.socketpair(domain, atomicFlags ? type : type & ~flags, protocol, sv,
                    Syscalls.allocateErrnoCapture(arena));
            if (r < 0) {
                return OpenedPair.failed("socketpair", r);
            }
            first = sv.getAtIndex(ValueLayout.JAVA_INT, 0);
            second = sv.getAtIndex(ValueLayout.JAVA_INT, 1);
        }
        if (!atomicFlags) {
            int r = applyFlags(first, second, flags);
            if (r < 0) {
                close(first);
                close(second);
                return OpenedPair.failed("fcntl", r);
            }
        }
        return new OpenedPair(first, second, null, 0);
    }

    /**
     * Sets what the {@code SOCK_*} {@code flags} ask on both descriptors: close-on-exec first, which
     * shortens the window in which a child could inherit them.
     *
     * @return 0, or {@code -errno}
     */
    private static int applyFlags(int first, int second, int flags) {
        int r = 0;
        if ((flags & SocketConstants.SOCK_CLOEXEC) != 0) {
            r = setCloseOnExec(first, true);
            r = r < 0 ? r : setCloseOnExec(second, true);
        }
        if ((flags & SocketConstants.SOCK_NONBLOCK) != 0) {
            r = r < 0 ? r : setNonBlocking(first, true);
            r = r < 0 ? r : setNonBlocking(second, true);
        }
        return r;
    }

    /**
     * Closes a descriptor that no channel owns yet.
     *
     * @return 0, or {@code -errno}
     */
    public static int close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            return Syscalls.close(fd, Syscalls.allocateErrnoCapture(arena));
        }
    }

    /**
     * Duplicates {@code fd} onto the lowest free number, close-on-exec ({@code F_DUPFD_CLOEXEC}).
     *
     * @return the new descriptor, or {@code -errno}
     */
    public static int duplicate(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            return Syscalls.fcntl(fd, F_DUPFD_CLOEXEC, 0, Syscalls.allocateErrnoCapture(arena));
        }
    }

    /** Reads {@code O_NONBLOCK}. @return 1 if it is set, 0 if not, or {@code -errno} */
    public static int isNonBlocking(int fd) {
        return flag(fd, F_GETFL, O_NONBLOCK);
    }

    /** Sets or clears {@code O_NONBLOCK}. @return 0, or {@code -errno} */
    public static int setNonBlocking(int fd, boolean on) {
        return setFlag(fd, F_GETFL, F_SETFL, O_NONBLOCK, on);
    }

    /** Reads {@code FD_CLOEXEC}. @return 1 if it is set, 0 if not, or {@code -errno} */
    public static int isCloseOnExec(int fd) {
        return flag(fd, F_GETFD, FD_CLOEXEC);
    }

    /** Sets or clears {@code FD_CLOEXEC}. @return 0, or {@code -errno} */
    public static int setCloseOnExec(int fd, boolean on) {
        return setFlag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, on);
    }

    private static int flag(int fd, int getCommand, int bit) {
        try (Arena arena = Arena.ofConfined()) {
            int flags = Syscalls.fcntl(fd, getCommand, 0, Syscalls.allocateErrnoCapture(arena));
            return flags < 0 ? flags : (flags & bit) != 0 ? 1 : 0;
        }
    }

    /** Read-modify-write of one bit of a descriptor's flags; skips the write when nothing changes. */
    private static int setFlag(int fd, int getCommand, int setCommand, int bit, boolean on) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            int flags = Syscalls.fcntl(fd, getCommand, 0, capture);
            if (flags < 0) {
                return flags;
            }
            int wanted = on ? flags | bit : flags & ~bit;
            return wanted == flags ? 0 : Syscalls.fcntl(fd, setCommand, wanted, capture);
        }
    }

    /** Reads a non-negative integer option. @return its value, or {@code -errno} */
    public static long intOption(int fd, IntOption option) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) value.byteSize());
            if (!option.exists()) {
                return -ENOPROTOOPT;
            }
            int r = Syscalls.getsockopt(fd, SOL_SOCKET, option.name, value, length,
                    Syscalls.allocateErrnoCapture(arena));
            return r < 0 ? r : value.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Sets an integer option. @return 0, or {@code -errno} */
    public static int setIntOption(int fd, IntOption option, int newValue) {
        if (!option.exists()) {
            return -ENOPROTOOPT;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocateFrom(ValueLayout.JAVA_INT, newValue);
            return Syscalls.setsockopt(fd, SOL_SOCKET, option.name, value, (int) value.byteSize(),
                    Syscalls.allocateErrnoCapture(arena));
        }
    }

    /**
     * Reads whether the socket lingers on close ({@code SO_LINGER}, with the interval in seconds: see
     * {@link Platform#lingerOption()}) into {@code seconds[0]}: the interval while lingering is on, -1
     * while it is off.
     *
     * @return 0, or {@code -errno}
     */
    public static int linger(int fd, int[] seconds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Structs.Linger.LINGER);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) value.byteSize());
            int r = Syscalls.getsockopt(fd, SOL_SOCKET, Linger.OPTION, value, length,
                    Syscalls.allocateErrnoCapture(arena));
            if (r < 0) {
                return r;
            }
            seconds[0] = Structs.Linger.ON_OFF.getInt(value) != 0 ? Structs.Linger.INTERVAL.getInt(value) : -1;
            return 0;
        }
    }

    /**
     * Sets {@code SO_LINGER}: on, with an interval of {@code seconds}, if that is not negative; off if it
     * is.
     *
     * @return 0, or {@code -errno}
     */
    public static int setLinger(int fd, int seconds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(Structs.Linger.LINGER);
            if (seconds >= 0) {
                Structs.Linger.ON_OFF.set(value, 1);
                Structs.Linger.INTERVAL.set(value, seconds);
            }
            return Syscalls.setsockopt(fd, SOL_SOCKET, Linger.OPTION, value, (int) value.byteSize(),
                    Syscalls.allocateErrnoCapture(arena));
        }
    }

    /** Read when lingering is first asked about. */
    private static final class Linger {
        static final int OPTION = Platform.current().lingerOption();
    }

    /**
     * Reads how many bytes are queued for reading ({@code ioctl(fd, FIONREAD, &count)}). What is counted
     * is the kernel's: on Linux every byte queued on a STREAM or SEQPACKET socket, and the length of the
     * first datagram on a DGRAM socket.
     *
     * @return the count, or {@code -errno}
     */
    public static int bytesQueued(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            int r = Syscalls.ioctl(fd, FIONREAD, count, Syscalls.allocateErrnoCapture(arena));
            return r < 0 ? r : count.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Reads a socket's address family: {@code SO_DOMAIN} where the system has it, else the family
     * getsockname(2) reports.
     *
     * @return the family, or {@code -errno}
     */
    public static long domain(int fd) {
        if (IntOption.DOMAIN.exists()) {
            return intOption(fd, IntOption.DOMAIN);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SockaddrUn.SOCKADDR_UN);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) address.byteSize());
            int r = Syscalls.getsockname(fd, address, length, Syscalls.allocateErrnoCapture(arena));
            return r < 0 ? r : SockaddrUn.SUN_FAMILY.get(address);
        }
    }

    /**
     * Reads the credentials of the peer's process as they were when the connection was made into
     * {@code ids}: pid, uid, gid, as the {@link Platform} says they are read ({@code SO_PEERCRED} on
     * Linux, {@code LOCAL_PEERCRED} and perhaps {@code LOCAL_PEERPID} elsewhere). The pid is -1 where
     * the system cannot tell it.
     *
     * @return 0, or {@code -errno}
     */
    public static int peerCredentials(int fd, int[] ids) {
        Platform.PeerCredentialsQuery query = PeerCredentials.QUERY;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(query.layout());
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) value.byteSize());
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            int r = Syscalls.getsockopt(fd, query.level(), query.option(), value, length, capture);
            if (r < 0) {
                return r;
            }
            ids[0] = query.pid() != null ? query.pid().getInt(value) : -1;
            ids[1] = query.uid().getInt(value);
            ids[2] = query.gid().getInt(value);
            if (query.pidOption() != null) {
                MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
                length.set(ValueLayout.JAVA_INT, 0, (int) pid.byteSize());
                r = Syscalls.getsockopt(fd, query.level(), query.pidOption(), pid, length, capture);
                if (r < 0) {
                    return r;
                }
                ids[0] = pid.get(ValueLayout.JAVA_INT, 0);
            }
            return 0;
        }
    }

    /** Read when the peer's credentials are first asked for. */
    private static final class PeerCredentials {
        static final Platform.PeerCredentialsQuery QUERY = Platform.current().peerCredentials();
    }

    /** Shuts down reception. @return 0, or {@code -errno} */
    public static int shutdownInput(int fd) {
        return shutdown(fd, SHUT_RD);
    }

    /** Shuts down transmission. @return 0, or {@code -errno} */
    public static int shutdownOutput(int fd) {
        return shutdown(fd, SHUT_WR);
    }

    private static int shutdown(int fd, int how) {
        try (Arena arena = Arena.ofConfined()) {
            return Syscalls.shutdown(fd, how, Syscalls.allocateErrnoCapture(arena));
        }
    }

    /**
     * The layout of {@code struct sockaddr_un}, read when a name is first asked for: the generated class
     * that holds it makes handles for its members when initialised, which opening a pair does not need.
     */
    private static final class SockaddrUn {
        static final GroupLayout SOCKADDR_UN = C.struct("sockaddr_un");
        static final long SUN_PATH_OFFSET = StructField.offsetOf(SOCKADDR_UN, "sun_path");
        static final StructField SUN_FAMILY = StructField.of(SOCKADDR_UN, "sun_family");

        private SockaddrUn() {
        }
    }

    /**
     * A socket's name as the kernel reports it, or the errno of the failed call. {@code bytes} holds
     * what {@code sun_path} holds within the reported length: for a path, up to its first NUL (there need
     * be none: a path may fill all of {@code sun_path}); for a Linux abstract name, its leading NUL and
     * every byte after it, NULs included; for an unnamed socket, nothing.
     */
    public record SocketName(byte[] bytes, int errno) {
    }

    /** Returns the name a socket (or its peer) is bound to, as getsockname(2) or getpeername(2) reports it. */
    public static SocketName name(int fd, boolean peer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SockaddrUn.SOCKADDR_UN);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) address.byteSize());
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            int r = peer
                    ? Syscalls.getpeername(fd, address, length, capture)
                    : Syscalls.getsockname(fd, address, length, capture);
            if (r < 0) {
                return new SocketName(null, -r);
            }
            // The kernel reports the length of the whole name, which for a path that fills sun_path
            // counts a terminating NUL that does not fit: never read past the structure.
            long pathLength = Math.min(length.get(ValueLayout.JAVA_INT, 0), address.byteSize())
                    - SockaddrUn.SUN_PATH_OFFSET;
            if (pathLength <= 0) {
                return new SocketName(new byte[0], 0);
            }
            byte[] path = address.asSlice(SockaddrUn.SUN_PATH_OFFSET, pathLength).toArray(ValueLayout.JAVA_BYTE);
            if (path[0] == 0) {
                return new SocketName(path, 0);
            }
            int end = 0;
            while (end < path.length && path[end] != 0) {
                end++;
            }
            return new SocketName(Arrays.copyOf(path, end), 0);
        }
    }
}

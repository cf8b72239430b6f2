package dev.socketpair.internal.platform;

import java.lang.foreign.GroupLayout;

/**
 * The seam between the library and the system it runs on: the running system's generated bindings
 * ({@link #library()}), what it offers beyond plain POSIX, and where it keeps what POSIX leaves open (the
 * peer's credentials, a child's exit status). One implementation per operating system; the ABI within
 * it (architecture, C library) only changes the bindings.
 *
 * <p>{@link #current()} is chosen once, at the first open, from {@code os.name}, {@code os.arch} and, on
 * Linux, the C library (see {@link Platforms}). Immutable; safe for use by multiple threads.
 */
public abstract sealed class Platform permits LinuxPlatform, FreeBsdPlatform, DragonFlyPlatform, MacOsPlatform {

    private final CLibrary library;

    Platform(CLibrary library) {
        this.library = library;
    }

    /**
     * Returns the running system's platform.
     *
     * @throws UnsupportedOperationException if the library has no bindings for this system
     */
    public static Platform current() {
        return Platforms.current();
    }

    /** {@return the running system's generated bindings} */
    public final CLibrary library() {
        return library;
    }

    /**
     * {@return whether socketpair(2) takes {@code SOCK_CLOEXEC} and {@code SOCK_NONBLOCK} in its type}
     * (every system here but macOS).
     */
    public boolean atomicSocketFlags() {
        return library.hasConstant("SOCK_CLOEXEC") && library.hasConstant("SOCK_NONBLOCK");
    }

    /** {@return whether recvmsg(2) takes {@code MSG_CMSG_CLOEXEC}} (every system here but macOS). */
    public boolean receivesCloseOnExec() {
        return library.hasConstant("MSG_CMSG_CLOEXEC");
    }

    /**
     * {@return whether the C library may have {@code posix_spawn_file_actions_addclosefrom_np}}: its
     * bindings describe it (glibc 2.34 and FreeBSD 13.1 or later have it; older glibc, then, does not).
     */
    public boolean mayCloseFrom() {
        return library.function("posix_spawn_file_actions_addclosefrom_np").isPresent();
    }

    /**
     * {@return whether the C library has sendmmsg(2) and recvmmsg(2), which move many messages in one
     * system call}: its bindings describe both and {@code MSG_WAITFORONE} (Linux and FreeBSD; not
     * DragonFly or macOS), and the library it runs with has the functions.
     */
    public boolean batchesMessages() {
        return library.hasConstant("MSG_WAITFORONE") && library.function("sendmmsg").isPresent()
                && library.function("recvmmsg").isPresent();
    }

    /** {@return whether the system has epoll(7)} (Linux); elsewhere readiness comes from poll(2). */
    public boolean hasEpoll() {
        return false;
    }

    /**
     * {@return whether a process can send its credentials with a message and the receiver read them}
     * ({@code SCM_CREDENTIALS} on Linux); macOS's kernel accepts only descriptors, and the BSDs' own
     * credential messages ({@code SCM_CREDS}) hold different facts, so both report no.
     */
    public boolean sendsCredentials() {
        return false;
    }

    /**
     * The most descriptors one {@code SCM_RIGHTS} message may carry: Linux's {@code SCM_MAX_FD}, beyond
     * which sendmsg fails with {@code EINVAL}. No user-space header defines it (it is in the kernel's
     * private {@code include/net/scm.h}), so it is named here, the one platform number the library writes
     * itself; a test shows the kernel accepting this many and refusing one more. The BSDs and macOS
     * bound a message by its control data's size instead (2048 bytes, {@code MCLBYTES}), which this many
     * fits in, so the library keeps to it everywhere.
     */
    public int maxDescriptorsPerMessage() {
        return 253;
    }

    /**
     * {@return the most control data the C library's sendmsg passes on}, {@link Long#MAX_VALUE} where it
     * sets no limit of its own.
     */
    public long maxControlBytes() {
        return Long.MAX_VALUE;
    }

    /**
     * {@return the directory that lists the process's open descriptors by number}: {@code /dev/fd} on
     * the BSDs and macOS (on FreeBSD only with fdescfs mounted there; FreeBSD has closefrom and needs no
     * listing).
     */
    public String openDescriptorsDirectory() {
        return "/dev/fd";
    }

    /**
     * {@return the {@code SOL_SOCKET} option that reads and sets a {@code struct linger} whose interval
     * is in seconds}: {@code SO_LINGER} (macOS overrides this: its {@code SO_LINGER} counts clock ticks).
     */
    public int lingerOption() {
        return library.constant("SO_LINGER");
    }

    /** How to read the peer's credentials on this system. */
    public abstract PeerCredentialsQuery peerCredentials();

    /**
     * Where {@code waitid(2)} puts a child's pid, exit status and {@code si_code} in {@code siginfo_t}.
     */
    public abstract ChildStatusFields childStatusFields();

    /**
     * How the peer's credentials are read: {@code getsockopt(fd, level, option, &value, &length)} into a
     * struct of {@code layout}, and, where that struct has no pid, a second option that gives the pid
     * alone as an {@code int}.
     *
     * @param level     the option level
     * @param option    the option
     * @param layout    the struct the option fills in
     * @param uid       its user id
     * @param gid       its group id (the first group, on the BSDs)
     * @param pid       its pid, or null if it has none
     * @param pidOption the option that gives the pid, or null if {@code pid} is in the struct or the
     *                  system cannot tell the peer's pid (DragonFly)
     */
    public record PeerCredentialsQuery(int level, int option, GroupLayout layout, StructField uid, StructField gid,
                                       StructField pid, Integer pidOption) {
    }

    /**
     * The members of {@code siginfo_t} that waitid(2) fills in for a child that changed state.
     *
     * @param layout {@code siginfo_t}
     * @param code   {@code si_code}: {@code CLD_EXITED}, {@code CLD_KILLED}, ...
     * @param pid    {@code si_pid}
     * @param status {@code si_status}: the exit status, or the signal
     */
    public record ChildStatusFields(GroupLayout layout, StructField code, StructField pid, StructField status) {

        /** The members where {@code siginfo_t} has {@code si_pid} and {@code si_status} at its top level. */
        static ChildStatusFields of(GroupLayout siginfo) {
            return new ChildStatusFields(siginfo, StructField.of(siginfo, "si_code"), StructField.of(siginfo, "si_pid"),
                    StructField.of(siginfo, "si_status"));
        }

        /** The members where the C library nests {@code si_pid} and {@code si_status} in unions. */
        static ChildStatusFields of(GroupLayout siginfo, String[] pidPath, String[] statusPath) {
            return new ChildStatusFields(siginfo, StructField.of(siginfo, "si_code"), StructField.of(siginfo, pidPath),
                    StructField.of(siginfo, statusPath));
        }
    }
}

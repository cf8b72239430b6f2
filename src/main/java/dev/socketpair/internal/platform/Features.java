package dev.socketpair.internal.platform;

/**
 * What the running system offers beyond plain POSIX, for the code above the platform seam to ask by
 * facility, never by the system's name: where a facility is missing, that code takes a fallback that
 * gives the same result with more calls (and, where the facility made something atomic, a window that
 * each fallback documents).
 *
 * <p>Linux with glibc 2.34 or later offers all of them; macOS none (no {@code SOCK_CLOEXEC} or
 * {@code SOCK_NONBLOCK}, no {@code MSG_CMSG_CLOEXEC}, no {@code posix_spawn_file_actions_addclosefrom_np},
 * no credentials in messages, which the BSDs do not send as Linux does either, no epoll, no sendmmsg or
 * recvmmsg); FreeBSD and DragonFly lack epoll, DragonFly lacks sendmmsg and recvmmsg too, and DragonFly,
 * musl and older glibc lack closefrom. Portable mode,
 * {@code -Ddev.socketpair.portable=true}, makes every facility count as missing, so that each fallback
 * runs, and can be tested, on a system that has the facility.
 *
 * <p>Each answer is the {@link Platform}'s, unless portable mode is on. Portable mode is decided once,
 * from the system property, with no system call; safe for use by multiple threads.
 */
public final class Features {

    /** The system property that turns portable mode on when it is {@code true}. */
    public static final String PORTABLE_PROPERTY = "dev.socketpair.portable";

    private static final boolean PORTABLE = Boolean.getBoolean(PORTABLE_PROPERTY);

    private Features() {
    }

    /**
     * {@return whether socketpair(2) takes {@code SOCK_CLOEXEC} and {@code SOCK_NONBLOCK} in its type
     * and applies them atomically}; without them the flags are applied with fcntl(2) after the call.
     */
    public static boolean atomicSocketFlags() {
        return Facilities.ATOMIC_SOCKET_FLAGS;
    }

    /**
     * {@return whether recvmsg(2) takes {@code MSG_CMSG_CLOEXEC}, installing received descriptors
     * close-on-exec}; without it each is made close-on-exec with fcntl(2) right after the call.
     */
    public static boolean receivesCloseOnExec() {
        return Facilities.RECEIVES_CLOSE_ON_EXEC;
    }

    /**
     * {@return whether the C library may have {@code posix_spawn_file_actions_addclosefrom_np}}; where
     * this is true and the function is missing all the same (glibc before 2.34, musl), the call reports
     * {@code ENOSYS} and the caller takes the same fallback as where this is false.
     */
    public static boolean closesFrom() {
        return ClosesFrom.MAY;
    }

    /**
     * {@return whether a process can send its credentials with a message and the receiver read them}
     * ({@code SCM_CREDENTIALS}, {@code SO_PASSCRED}: Linux); without it
     * {@code UnixSocketChannel.sendCredentials} and {@code SO_PASSCRED} throw
     * {@link UnsupportedOperationException}.
     */
    public static boolean sendsCredentials() {
        return Facilities.SENDS_CREDENTIALS;
    }

    /** Asked of the platform once, when first needed: after the first open has chosen it. */
    private static final class Facilities {
        static final boolean ATOMIC_SOCKET_FLAGS = !PORTABLE && Platform.current().atomicSocketFlags();
        static final boolean RECEIVES_CLOSE_ON_EXEC = !PORTABLE && Platform.current().receivesCloseOnExec();
        static final boolean SENDS_CREDENTIALS = !PORTABLE && Platform.current().sendsCredentials();
        static final boolean EPOLL = !PORTABLE && Platform.current().hasEpoll();
    }

    /**
     * {@return whether sendmmsg(2) and recvmmsg(2) move a batch of messages in one system call}; without
     * them a batch is a loop of sendmsg(2) or recvmsg(2), one message each, with the same results.
     */
    public static boolean batchesMessages() {
        return MessageBatches.HAS;
    }

    /** Apart, since the answer looks the function up in the C library: asked on the first spawn only. */
    private static final class ClosesFrom {
        static final boolean MAY = !PORTABLE && Platform.current().mayCloseFrom();
    }

    /** Apart, since the answer looks functions up in the C library: asked on the first batch only. */
    private static final class MessageBatches {
        static final boolean HAS = !PORTABLE && Platform.current().batchesMessages();
    }

    /**
     * {@return whether the kernel has epoll(7)}; without it a selector passes its whole interest list to
     * poll(2) at each wait, and one platform thread waits in poll(2) for the descriptors virtual threads
     * wait on, instead of the epoll pollers.
     */
    public static boolean epoll() {
        return Facilities.EPOLL;
    }
}

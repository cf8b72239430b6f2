package dev.socketpair;

/**
 * The identity of a process as the kernel vouches for it: its process id, user id and group id.
 *
 * <p>Obtained from the kernel, never from the peer's word: {@link UnixSocketChannel#peerCredentials()}
 * reads those of the peer when the socket pair was made ({@code SO_PEERCRED} on Linux,
 * {@code LOCAL_PEERCRED} on the BSDs and macOS, whose group is the first of the peer's groups), and
 * {@link ReceivedMessage#credentials()} gives those a message was sent with ({@code SCM_CREDENTIALS}),
 * which the kernel checks against the sender. User and group ids are unsigned in the kernel and are
 * given here as non-negative {@code long}s.
 *
 * @param pid the process id, as {@link ProcessHandle#pid()} reports it in that process; -1 where the
 *            system does not tell it (DragonFly's {@code LOCAL_PEERCRED})
 * @param uid the real user id
 * @param gid the real group id
 * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
 */
public record Credentials(long pid, long uid, long gid) {

    static Credentials of(int pid, int uid, int gid) {
        return new Credentials(pid, Integer.toUnsignedLong(uid), Integer.toUnsignedLong(gid));
    }
}

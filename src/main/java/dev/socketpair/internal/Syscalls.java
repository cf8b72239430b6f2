package dev.socketpair.internal;

import dev.socketpair.internal.platform.StructField;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The system calls the library makes, one method per call, each taking the segment errno is captured
 * into.
 *
 * <p>Every method returns what the call returns when it succeeds and {@code -errno} when it fails, so
 * the hot path allocates nothing and throws nothing; callers decide what an errno means. The capture
 * segment comes from {@link #allocateErrnoCapture} and must be used by one thread at a time: it is
 * owned by whoever serialises the operation (a channel's read or write lock, or a local arena).
 */
public final class Syscalls {

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    // Read through the member's layout at its offset, both found without a layout path: a path, and
    // more so a VarHandle made from one, costs generated classes, which the first open would pay for.
    private static final StructField ERRNO_FIELD = StructField.of(CAPTURE_LAYOUT, "errno");
    private static final ValueLayout.OfInt ERRNO = (ValueLayout.OfInt) ERRNO_FIELD.layout();
    private static final long ERRNO_OFFSET = ERRNO_FIELD.offset();

    private Syscalls() {
    }

    /** Allocates a segment that downcalls capture errno into. */
    public static MemorySegment allocateErrnoCapture(SegmentAllocator allocator) {
        return allocator.allocate(CAPTURE_LAYOUT);
    }

    private static int errno(MemorySegment capture) {
        return capture.get(ERRNO, ERRNO_OFFSET);
    }

    private static int result(int r, MemorySegment capture) {
        return r >= 0 ? r : -errno(capture);
    }

    private static long result(long r, MemorySegment capture) {
        return r >= 0 ? r : -errno(capture);
    }

    /**
     * {@code int socketpair(int domain, int type, int protocol, int sv[2])}.
     *
     * @param sv where the two descriptors are written: two {@code int}s
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/socketpair.2.html">socketpair(2)</a>
     */
    public static int socketpair(int domain, int type, int protocol, MemorySegment sv, MemorySegment capture) {
        try {
            return result((int) Downcalls.Socketpair.HANDLE.invokeExact(capture, domain, type, protocol, sv), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int fcntl(int fd, int cmd, int arg)}.
     *
     * @return the command's result, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/fcntl.2.html">fcntl(2)</a>
     */
    public static int fcntl(int fd, int cmd, int arg, MemorySegment capture) {
        try {
            return result((int) Downcalls.Fcntl.HANDLE.invokeExact(capture, fd, cmd, arg), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int ioctl(int fd, unsigned long request, void *argp)}.
     *
     * @param request the request, as the unsigned number C passes
     * @return the request's result, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/ioctl.2.html">ioctl(2)</a>
     */
    public static int ioctl(int fd, long request, MemorySegment argp, MemorySegment capture) {
        try {
            return result((int) Downcalls.Ioctl.HANDLE.invokeExact(capture, fd, request, argp), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int close(int fd)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a>
     */
    public static int close(int fd, MemorySegment capture) {
        try {
            return result((int) Downcalls.Close.HANDLE.invokeExact(capture, fd), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code ssize_t send(int fd, const void *buf, size_t len, int flags)}.
     *
     * @return the number of bytes sent, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/send.2.html">send(2)</a>
     */
    public static long send(int fd, MemorySegment buf, long len, int flags, MemorySegment capture) {
        try {
            return result((long) Downcalls.Send.HANDLE.invokeExact(capture, fd, buf, len, flags), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code ssize_t recv(int fd, void *buf, size_t len, int flags)}.
     *
     * @return the number of bytes received (with {@code MSG_TRUNC}, the message's real length), or
     *         {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/recv.2.html">recv(2)</a>
     */
    public static long recv(int fd, MemorySegment buf, long len, int flags, MemorySegment capture) {
        try {
            return result((long) Downcalls.Recv.HANDLE.invokeExact(capture, fd, buf, len, flags), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Returns whether {@link #sendCritical} and {@link #recvCritical} may be used on this JDK. */
    public static boolean criticalCallsAvailable() {
        return Downcalls.Critical.AVAILABLE;
    }

    /**
     * {@code send} straight from {@code buf}, which may be heap memory. {@code flags} must include
     * {@code MSG_DONTWAIT}: the call must not block.
     *
     * @return the number of bytes sent, or {@code -errno}
     */
    public static long sendCritical(int fd, MemorySegment buf, long len, int flags, MemorySegment capture) {
        try {
            return result((long) Downcalls.Critical.SEND.invokeExact(capture, fd, buf, len, flags), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code recv} straight into {@code buf}, which may be heap memory. {@code flags} must include
     * {@code MSG_DONTWAIT}: the call must not block.
     *
     * @return the number of bytes received, or {@code -errno}
     */
    public static long recvCritical(int fd, MemorySegment buf, long len, int flags, MemorySegment capture) {
        try {
            return result((long) Downcalls.Critical.RECV.invokeExact(capture, fd, buf, len, flags), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)}.
     *
     * @return the number of bytes sent, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/sendmsg.2.html">sendmsg(2)</a>
     */
    public static long sendmsg(int fd, MemorySegment msghdr, int flags, MemorySegment capture) {
        try {
            return result((long) Downcalls.Sendmsg.HANDLE.invokeExact(capture, fd, msghdr, flags), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)}.
     *
     * @return the number of bytes received, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/recvmsg.2.html">recvmsg(2)</a>
     */
    public static long recvmsg(int fd, MemorySegment msghdr, int flags, MemorySegment capture) {
        try {
            return result((long) Downcalls.Recvmsg.HANDLE.invokeExact(capture, fd, msghdr, flags), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int sendmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, int flags)}: a sendmsg of
     * each header in turn, until one fails; the kernel sets each {@code msg_len}.
     *
     * @return the number of messages sent, or {@code -errno} if the first one failed (an error after
     *         that is not reported)
     * @see <a href="https://man7.org/linux/man-pages/man2/sendmmsg.2.html">sendmmsg(2)</a>
     */
    public static long sendmmsg(int fd, MemorySegment msgvec, int vlen, int flags, MemorySegment capture) {
        try {
            return result((long) Downcalls.Sendmmsg.HANDLE.invokeExact(capture, fd, msgvec, vlen, flags), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int recvmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, int flags, struct timespec *timeout)},
     * without a timeout: a recvmsg into each header in turn, until one fails or, with
     * {@code MSG_WAITFORONE}, nothing more is queued after the first; the kernel sets each
     * {@code msg_len}.
     *
     * @return the number of messages received, or {@code -errno} if the first receive failed (Linux
     *         keeps an error after that for the next call on the socket)
     * @see <a href="https://man7.org/linux/man-pages/man2/recvmmsg.2.html">recvmmsg(2)</a>
     */
    public static long recvmmsg(int fd, MemorySegment msgvec, int vlen, int flags, MemorySegment capture) {
        try {
            return result((long) Downcalls.Recvmmsg.HANDLE.invokeExact(capture, fd, msgvec, vlen, flags,
                    MemorySegment.NULL), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int shutdown(int fd, int how)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/shutdown.2.html">shutdown(2)</a>
     */
    public static int shutdown(int fd, int how, MemorySegment capture) {
        try {
            return result((int) Downcalls.Shutdown.HANDLE.invokeExact(capture, fd, how), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/getsockopt.2.html">getsockopt(2)</a>
     */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length,
                                 MemorySegment capture) {
        try {
            return result((int) Downcalls.Getsockopt.HANDLE.invokeExact(capture, fd, level, name, value, length), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/setsockopt.2.html">setsockopt(2)</a>
     */
    public static int setsockopt(int fd, int level, int name, MemorySegment value, int length,
                                 MemorySegment capture) {
        try {
            return result((int) Downcalls.Setsockopt.HANDLE.invokeExact(capture, fd, level, name, value, length), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/getsockname.2.html">getsockname(2)</a>
     */
    public static int getsockname(int fd, MemorySegment address, MemorySegment length, MemorySegment capture) {
        try {
            return result((int) Downcalls.Getsockname.HANDLE.invokeExact(capture, fd, address, length), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/getpeername.2.html">getpeername(2)</a>
     */
    public static int getpeername(int fd, MemorySegment address, MemorySegment length, MemorySegment capture) {
        try {
            return result((int) Downcalls.Getpeername.HANDLE.invokeExact(capture, fd, address, length), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}.
     *
     * @return the number of ready descriptors, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/poll.2.html">poll(2)</a>
     */
    public static int poll(MemorySegment fds, long count, int timeoutMillis, MemorySegment capture) {
        try {
            return result((int) Downcalls.Poll.HANDLE.invokeExact(capture, fds, count, timeoutMillis), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int epoll_create1(int flags)}.
     *
     * @return the new epoll descriptor, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/epoll_create1.2.html">epoll_create1(2)</a>
     */
    public static int epoll_create1(int flags, MemorySegment capture) {
        try {
            return result((int) Downcalls.EpollCreate1.HANDLE.invokeExact(capture, flags), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/epoll_ctl.2.html">epoll_ctl(2)</a>
     */
    public static int epoll_ctl(int epfd, int op, int fd, MemorySegment event, MemorySegment capture) {
        try {
            return result((int) Downcalls.EpollCtl.HANDLE.invokeExact(capture, epfd, op, fd, event), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)}.
     *
     * @return the number of events, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/epoll_wait.2.html">epoll_wait(2)</a>
     */
    public static int epoll_wait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis,
                                 MemorySegment capture) {
        try {
            return result((int) Downcalls.EpollWait.HANDLE.invokeExact(capture, epfd, events, maxEvents, timeoutMillis),
                    capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code char *strerror(int errnum)}, copied into a Java string at once because the C buffer may be
     * reused by the next call.
     *
     * @see <a href="https://man7.org/linux/man-pages/man3/strerror.3.html">strerror(3)</a>
     */
    public static String strerror(int errno) {
        try {
            // The generated return layout already targets an unbounded byte sequence: no reinterpret.
            MemorySegment text = (MemorySegment) Downcalls.Strerror.HANDLE.invokeExact(errno);
            return text.getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code void *calloc(size_t nmemb, size_t size)}, for one zeroed block of {@code size} bytes.
     *
     * @return the block, as a segment of {@code size} bytes that no arena guards; {@link MemorySegment#NULL}
     *         if there is no memory
     * @see <a href="https://man7.org/linux/man-pages/man3/calloc.3.html">calloc(3)</a>
     */
    public static MemorySegment calloc(long size) {
        try {
            MemorySegment block = (MemorySegment) Downcalls.Calloc.HANDLE.invokeExact(1L, size);
            return block.equals(MemorySegment.NULL) ? block : Downcalls.sized(block, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code void free(void *ptr)}, for a block {@link #calloc} returned.
     *
     * @see <a href="https://man7.org/linux/man-pages/man3/free.3.html">free(3)</a>
     */
    public static void free(MemorySegment block) {
        try {
            Downcalls.Free.HANDLE.invokeExact(block);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code pid_t getpid(void)}: cannot fail.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/getpid.2.html">getpid(2)</a>
     */
    public static int getpid() {
        try {
            return (int) Downcalls.Ids.GETPID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code uid_t getuid(void)}: cannot fail.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/getuid.2.html">getuid(2)</a>
     */
    public static int getuid() {
        try {
            return (int) Downcalls.Ids.GETUID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code gid_t getgid(void)}: cannot fail.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/getgid.2.html">getgid(2)</a>
     */
    public static int getgid() {
        try {
            return (int) Downcalls.Ids.GETGID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen, struct passwd **result)}:
     * the user database's entry of {@code uid}, its strings stored in {@code buf}.
     *
     * @param result where a pointer to {@code pwd} is stored, or null if there is no entry
     * @return 0, or {@code -error} ({@code ERANGE}: {@code buf} is too small); the function returns the
     *         error number and does not set errno
     * @see <a href="https://man7.org/linux/man-pages/man3/getpwuid_r.3.html">getpwuid_r(3)</a>
     */
    public static int getpwuid_r(int uid, MemorySegment pwd, MemorySegment buf, long buflen, MemorySegment result) {
        try {
            return -(int) Downcalls.UserDatabase.GETPWUID_R.invokeExact(uid, pwd, buf, buflen, result);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int getgrgid_r(gid_t gid, struct group *grp, char *buf, size_t buflen, struct group **result)}:
     * the group database's entry of {@code gid}, as {@link #getpwuid_r} for users.
     *
     * @return 0, or {@code -error}
     * @see <a href="https://man7.org/linux/man-pages/man3/getgrgid_r.3.html">getgrgid_r(3)</a>
     */
    public static int getgrgid_r(int gid, MemorySegment grp, MemorySegment buf, long buflen, MemorySegment result) {
        try {
            return -(int) Downcalls.UserDatabase.GETGRGID_R.invokeExact(gid, grp, buf, buflen, result);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *file_actions,
     * const posix_spawnattr_t *attrp, char *const argv[], char *const envp[])}. glibc runs the file
     * actions and the exec in a child that shares the caller's memory until exec (CLONE_VFORK), so a
     * failure of either comes back here as the result, and the failed child has already been reaped.
     *
     * @param pid where the child's pid is written: one {@code pid_t}
     * @return 0, or {@code -error}: the function returns the error number and does not set errno
     * @see <a href="https://man7.org/linux/man-pages/man3/posix_spawn.3.html">posix_spawn(3)</a>
     */
    public static int posix_spawnp(MemorySegment pid, MemorySegment file, MemorySegment fileActions,
                                   MemorySegment attributes, MemorySegment argv, MemorySegment envp) {
        try {
            return -(int) Downcalls.Spawn.SPAWNP.invokeExact(pid, file, fileActions, attributes, argv, envp);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawn_file_actions_init(posix_spawn_file_actions_t *file_actions)}.
     *
     * @return 0, or {@code -error} (the error number is returned, errno is not set)
     * @see <a href="https://man7.org/linux/man-pages/man3/posix_spawn_file_actions_init.3p.html">posix_spawn_file_actions_init(3p)</a>
     */
    public static int posix_spawn_file_actions_init(MemorySegment fileActions) {
        try {
            return -(int) Downcalls.Spawn.ACTIONS_INIT.invokeExact(fileActions);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *file_actions)}.
     *
     * @return 0, or {@code -error}
     */
    public static int posix_spawn_file_actions_destroy(MemorySegment fileActions) {
        try {
            return -(int) Downcalls.Spawn.ACTIONS_DESTROY.invokeExact(fileActions);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *file_actions, int fd, int newfd)}.
     *
     * @return 0, or {@code -error}: {@code EBADF} for a number at or above the descriptor limit
     * @see <a href="https://man7.org/linux/man-pages/man3/posix_spawn_file_actions_adddup2.3p.html">posix_spawn_file_actions_adddup2(3p)</a>
     */
    public static int posix_spawn_file_actions_adddup2(MemorySegment fileActions, int fd, int newFd) {
        try {
            return -(int) Downcalls.Spawn.ADD_DUP2.invokeExact(fileActions, fd, newFd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *file_actions, int fd)}. In
     * the child, glibc ignores EBADF from this close for a number below the descriptor limit.
     *
     * @return 0, or {@code -error}
     */
    public static int posix_spawn_file_actions_addclose(MemorySegment fileActions, int fd) {
        try {
            return -(int) Downcalls.Spawn.ADD_CLOSE.invokeExact(fileActions, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *file_actions, int from)}:
     * in the child, closes every descriptor numbered {@code from} or higher (glibc 2.34+; close_range(2),
     * or a walk of /proc/self/fd where the kernel lacks it).
     *
     * @return 0, or {@code -error}: {@code EBADF} for a number at or above the descriptor limit,
     *         {@code ENOSYS} if the C library lacks the function
     * @see <a href="https://man7.org/linux/man-pages/man3/posix_spawn_file_actions_addclosefrom_np.3.html">posix_spawn_file_actions_addclosefrom_np(3)</a>
     */
    public static int posix_spawn_file_actions_addclosefrom_np(MemorySegment fileActions, int from) {
        MethodHandle handle = Downcalls.SpawnExtension.ADD_CLOSEFROM.handle();
        if (handle == null) {
            return -Errno.ENOSYS;
        }
        try {
            return -(int) handle.invokeExact(fileActions, from);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *file_actions, const char *path)}.
     *
     * @return 0, or {@code -error}: {@code ENOSYS} if the C library lacks the function
     */
    public static int posix_spawn_file_actions_addchdir_np(MemorySegment fileActions, MemorySegment path) {
        MethodHandle handle = Downcalls.SpawnExtension.ADD_CHDIR.handle();
        if (handle == null) {
            return -Errno.ENOSYS;
        }
        try {
            return -(int) handle.invokeExact(fileActions, path);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawnattr_init(posix_spawnattr_t *attr)}.
     *
     * @return 0, or {@code -error}
     * @see <a href="https://man7.org/linux/man-pages/man3/posix_spawnattr_init.3p.html">posix_spawnattr_init(3p)</a>
     */
    public static int posix_spawnattr_init(MemorySegment attributes) {
        try {
            return -(int) Downcalls.Spawn.ATTR_INIT.invokeExact(attributes);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawnattr_destroy(posix_spawnattr_t *attr)}.
     *
     * @return 0, or {@code -error}
     */
    public static int posix_spawnattr_destroy(MemorySegment attributes) {
        try {
            return -(int) Downcalls.Spawn.ATTR_DESTROY.invokeExact(attributes);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)}.
     *
     * @return 0, or {@code -error}
     */
    public static int posix_spawnattr_setflags(MemorySegment attributes, short flags) {
        try {
            return -(int) Downcalls.Spawn.ATTR_SETFLAGS.invokeExact(attributes, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *sigmask)}.
     *
     * @return 0, or {@code -error}
     */
    public static int posix_spawnattr_setsigmask(MemorySegment attributes, MemorySegment mask) {
        try {
            return -(int) Downcalls.Spawn.ATTR_SETSIGMASK.invokeExact(attributes, mask);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *sigdefault)}.
     *
     * @return 0, or {@code -error}
     */
    public static int posix_spawnattr_setsigdefault(MemorySegment attributes, MemorySegment signals) {
        try {
            return -(int) Downcalls.Spawn.ATTR_SETSIGDEFAULT.invokeExact(attributes, signals);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int sigemptyset(sigset_t *set)}: cannot fail on a valid set.
     *
     * @see <a href="https://man7.org/linux/man-pages/man3/sigemptyset.3.html">sigsetops(3)</a>
     */
    public static void sigemptyset(MemorySegment set) {
        try {
            int r = (int) Downcalls.Spawn.SIGEMPTYSET.invokeExact(set);
            assert r == 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int sigfillset(sigset_t *set)}: cannot fail on a valid set.
     *
     * @see <a href="https://man7.org/linux/man-pages/man3/sigfillset.3.html">sigsetops(3)</a>
     */
    public static void sigfillset(MemorySegment set) {
        try {
            int r = (int) Downcalls.Spawn.SIGFILLSET.invokeExact(set);
            assert r == 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/waitid.2.html">waitid(2)</a>
     */
    public static int waitid(int idType, int id, MemorySegment info, int options, MemorySegment capture) {
        try {
            return result((int) Downcalls.Waitid.HANDLE.invokeExact(capture, idType, id, info, options), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code int kill(pid_t pid, int sig)}.
     *
     * @return 0, or {@code -errno}
     * @see <a href="https://man7.org/linux/man-pages/man2/kill.2.html">kill(2)</a>
     */
    public static int kill(int pid, int signal, MemorySegment capture) {
        try {
            return result((int) Downcalls.Kill.HANDLE.invokeExact(capture, pid, signal), capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Passes on what a downcall handle may really throw (bad arguments); anything checked is a bug. */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("a downcall cannot throw a checked exception", t);
    }
}

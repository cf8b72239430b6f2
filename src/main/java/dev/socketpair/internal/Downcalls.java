package dev.socketpair.internal;

import dev.socketpair.internal.libc.Libc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Builds every downcall handle the library uses; the only class that links native code or makes
 * segments over raw addresses.
 *
 * <p>jextract cannot add linker options, so each handle is linked again here from the generated
 * {@code xxx$address()} and {@code xxx$descriptor()} with {@code captureCallState("errno")}: the handle
 * takes the capture segment as its first argument and errno is read from there, never from a shared
 * location. Each handle lives in a {@code static final} field of a holder class of its own, so that
 * calls through it are constant-folded and a handle is only linked when first used (linking costs
 * milliseconds each, which start-up should not pay for calls it does not make).
 */
@SuppressWarnings("restricted")
final class Downcalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /**
     * Returns a view of {@code owned} that no arena guards: a downcall given it does not acquire and
     * release the owning arena around the call, which for a shared arena is two atomic updates per
     * segment argument. Only for memory whose owner guarantees, by its own protocol, that no call can
     * use it after the arena closes.
     */
    static MemorySegment unguarded(MemorySegment owned) {
        return MemorySegment.ofAddress(owned.address()).reinterpret(owned.byteSize());
    }

    /** {@code int socketpair(int domain, int type, int protocol, int sv[2])} */
    static final class Socketpair {
        static final MethodHandle HANDLE = capturingErrno(Libc.socketpair$address(), Libc.socketpair$descriptor());

        private Socketpair() {
        }
    }

    /**
     * {@code int fcntl(int fd, int cmd, ...)}, linked with one variadic {@code int} argument, which is
     * what every command used here (F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC) takes or ignores.
     */
    static final class Fcntl {
        static final MethodHandle HANDLE = LINKER.downcallHandle(
                Libc.fcntl.address(),
                FunctionDescriptor.of(Libc.C_INT, Libc.C_INT, Libc.C_INT, Libc.C_INT),
                CAPTURE_ERRNO,
                Linker.Option.firstVariadicArg(2));

        private Fcntl() {
        }
    }

    /** {@code int close(int fd)} */
    static final class Close {
        static final MethodHandle HANDLE = capturingErrno(Libc.close$address(), Libc.close$descriptor());

        private Close() {
        }
    }

    /** {@code ssize_t send(int fd, const void *buf, size_t len, int flags)} */
    static final class Send {
        static final MethodHandle HANDLE = capturingErrno(Libc.send$address(), Libc.send$descriptor());

        private Send() {
        }
    }

    /** {@code ssize_t recv(int fd, void *buf, size_t len, int flags)} */
    static final class Recv {
        static final MethodHandle HANDLE = capturingErrno(Libc.recv$address(), Libc.recv$descriptor());

        private Recv() {
        }
    }

    /**
     * {@code send} and {@code recv}, linked as critical functions that may read and write Java heap
     * memory in place. Only for calls that cannot block ({@code MSG_DONTWAIT}): a critical call holds
     * off the garbage collector. Null where the running JDK refuses the combination with errno capture.
     */
    static final class Critical {
        static final MethodHandle SEND = critical(Libc.send$address(), Libc.send$descriptor());
        static final MethodHandle RECV = critical(Libc.recv$address(), Libc.recv$descriptor());
        static final boolean AVAILABLE = SEND != null && RECV != null;

        private Critical() {
        }
    }

    /** {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)} */
    static final class Sendmsg {
        static final MethodHandle HANDLE = capturingErrno(Libc.sendmsg$address(), Libc.sendmsg$descriptor());

        private Sendmsg() {
        }
    }

    /** {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)} */
    static final class Recvmsg {
        static final MethodHandle HANDLE = capturingErrno(Libc.recvmsg$address(), Libc.recvmsg$descriptor());

        private Recvmsg() {
        }
    }

    /** {@code int shutdown(int fd, int how)} */
    static final class Shutdown {
        static final MethodHandle HANDLE = capturingErrno(Libc.shutdown$address(), Libc.shutdown$descriptor());

        private Shutdown() {
        }
    }

    /** {@code int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)} */
    static final class Getsockopt {
        static final MethodHandle HANDLE = capturingErrno(Libc.getsockopt$address(), Libc.getsockopt$descriptor());

        private Getsockopt() {
        }
    }

    /** {@code int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)} */
    static final class Setsockopt {
        static final MethodHandle HANDLE = capturingErrno(Libc.setsockopt$address(), Libc.setsockopt$descriptor());

        private Setsockopt() {
        }
    }

    /**
     * {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen)}. glibc declares the
     * address argument as {@code __SOCKADDR_ARG}, a {@code transparent_union} of pointers, which jextract
     * describes as a union passed by value; C passes a transparent union as its first member, so it is
     * linked as a plain pointer.
     */
    static final class Getsockname {
        static final MethodHandle HANDLE = capturingErrno(Libc.getsockname$address(),
                replaceArgument(Libc.getsockname$descriptor(), 1, Libc.C_POINTER));

        private Getsockname() {
        }
    }

    /** {@code int getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen)}, as getsockname. */
    static final class Getpeername {
        static final MethodHandle HANDLE = capturingErrno(Libc.getpeername$address(),
                replaceArgument(Libc.getpeername$descriptor(), 1, Libc.C_POINTER));

        private Getpeername() {
        }
    }

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
    static final class Poll {
        static final MethodHandle HANDLE = capturingErrno(Libc.poll$address(), Libc.poll$descriptor());

        private Poll() {
        }
    }

    /** {@code int epoll_create1(int flags)} */
    static final class EpollCreate1 {
        static final MethodHandle HANDLE = capturingErrno(Libc.epoll_create1$address(), Libc.epoll_create1$descriptor());

        private EpollCreate1() {
        }
    }

    /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)} */
    static final class EpollCtl {
        static final MethodHandle HANDLE = capturingErrno(Libc.epoll_ctl$address(), Libc.epoll_ctl$descriptor());

        private EpollCtl() {
        }
    }

    /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)} */
    static final class EpollWait {
        static final MethodHandle HANDLE = capturingErrno(Libc.epoll_wait$address(), Libc.epoll_wait$descriptor());

        private EpollWait() {
        }
    }

    /** {@code char *strerror(int errnum)}: sets no errno worth reading, so nothing is captured. */
    static final class Strerror {
        static final MethodHandle HANDLE = LINKER.downcallHandle(Libc.strerror$address(), Libc.strerror$descriptor());

        private Strerror() {
        }
    }

    /** {@code ssize_t read(int fd, void *buf, size_t count)} */
    static final class Read {
        static final MethodHandle HANDLE = capturingErrno(Libc.read$address(), Libc.read$descriptor());

        private Read() {
        }
    }

    /** {@code ssize_t write(int fd, const void *buf, size_t count)} */
    static final class Write {
        static final MethodHandle HANDLE = capturingErrno(Libc.write$address(), Libc.write$descriptor());

        private Write() {
        }
    }

    /** {@code int pipe2(int pipefd[2], int flags)} */
    static final class Pipe2 {
        static final MethodHandle HANDLE = capturingErrno(Libc.pipe2$address(), Libc.pipe2$descriptor());

        private Pipe2() {
        }
    }

    /**
     * {@code pid_t getpid(void)}, {@code uid_t getuid(void)}, {@code gid_t getgid(void)}: they always
     * succeed, so nothing is captured.
     */
    static final class Ids {
        static final MethodHandle GETPID = LINKER.downcallHandle(Libc.getpid$address(), Libc.getpid$descriptor());
        static final MethodHandle GETUID = LINKER.downcallHandle(Libc.getuid$address(), Libc.getuid$descriptor());
        static final MethodHandle GETGID = LINKER.downcallHandle(Libc.getgid$address(), Libc.getgid$descriptor());

        private Ids() {
        }
    }

    /**
     * The posix_spawn family. These functions return an error number instead of setting errno, so
     * nothing is captured. Linked together on the first spawn.
     */
    static final class Spawn {
        /** {@code int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *file_actions, const posix_spawnattr_t *attrp, char *const argv[], char *const envp[])} */
        static final MethodHandle SPAWNP = plain(Libc.posix_spawnp$address(), Libc.posix_spawnp$descriptor());
        /** {@code int posix_spawn_file_actions_init(posix_spawn_file_actions_t *file_actions)} */
        static final MethodHandle ACTIONS_INIT = plain(Libc.posix_spawn_file_actions_init$address(),
                Libc.posix_spawn_file_actions_init$descriptor());
        /** {@code int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *file_actions)} */
        static final MethodHandle ACTIONS_DESTROY = plain(Libc.posix_spawn_file_actions_destroy$address(),
                Libc.posix_spawn_file_actions_destroy$descriptor());
        /** {@code int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *file_actions, int fd, int newfd)} */
        static final MethodHandle ADD_DUP2 = plain(Libc.posix_spawn_file_actions_adddup2$address(),
                Libc.posix_spawn_file_actions_adddup2$descriptor());
        /** {@code int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *file_actions, int fd)} */
        static final MethodHandle ADD_CLOSE = plain(Libc.posix_spawn_file_actions_addclose$address(),
                Libc.posix_spawn_file_actions_addclose$descriptor());
        /** {@code int posix_spawnattr_init(posix_spawnattr_t *attr)} */
        static final MethodHandle ATTR_INIT = plain(Libc.posix_spawnattr_init$address(),
                Libc.posix_spawnattr_init$descriptor());
        /** {@code int posix_spawnattr_destroy(posix_spawnattr_t *attr)} */
        static final MethodHandle ATTR_DESTROY = plain(Libc.posix_spawnattr_destroy$address(),
                Libc.posix_spawnattr_destroy$descriptor());
        /** {@code int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)} */
        static final MethodHandle ATTR_SETFLAGS = plain(Libc.posix_spawnattr_setflags$address(),
                Libc.posix_spawnattr_setflags$descriptor());
        /** {@code int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *sigmask)} */
        static final MethodHandle ATTR_SETSIGMASK = plain(Libc.posix_spawnattr_setsigmask$address(),
                Libc.posix_spawnattr_setsigmask$descriptor());
        /** {@code int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *sigdefault)} */
        static final MethodHandle ATTR_SETSIGDEFAULT = plain(Libc.posix_spawnattr_setsigdefault$address(),
                Libc.posix_spawnattr_setsigdefault$descriptor());
        /** {@code int sigemptyset(sigset_t *set)}: cannot fail on a valid set. */
        static final MethodHandle SIGEMPTYSET = plain(Libc.sigemptyset$address(), Libc.sigemptyset$descriptor());
        /** {@code int sigfillset(sigset_t *set)}: cannot fail on a valid set. */
        static final MethodHandle SIGFILLSET = plain(Libc.sigfillset$address(), Libc.sigfillset$descriptor());

        private Spawn() {
        }
    }

    /**
     * The extensions of the posix_spawn family that some C libraries lack, linked on first use (and
     * returning errors, not setting errno, so nothing is captured):
     * {@code int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *file_actions, int from)}
     * (glibc 2.34 or later; not musl) and
     * {@code int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *file_actions, const char *path)}
     * (glibc 2.29, musl 1.1.24).
     *
     * <p>Not through the generated holders: a holder looks its symbol up in its class initialiser, which
     * throws {@code UnsatisfiedLinkError} where the symbol is missing and leaves the class unusable, so
     * that every later spawn would fail with {@code NoClassDefFoundError}. The descriptor is written
     * here for the same reason: the generated {@code $descriptor()} lives in that holder.
     */
    static final class SpawnExtension {
        static final SpawnExtension ADD_CLOSEFROM = new SpawnExtension("posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(Libc.C_INT, Libc.C_POINTER, Libc.C_INT));
        static final SpawnExtension ADD_CHDIR = new SpawnExtension("posix_spawn_file_actions_addchdir_np",
                FunctionDescriptor.of(Libc.C_INT, Libc.C_POINTER, Libc.C_POINTER));

        private final String name;
        private final FunctionDescriptor descriptor;
        // Guarded by this: the handle once linked, or that the symbol is missing (a C library does not
        // gain a function later).
        private MethodHandle handle;
        private boolean missing;

        SpawnExtension(String name, FunctionDescriptor descriptor) {
            this.name = name;
            this.descriptor = descriptor;
        }

        /** Returns the handle, or null if the C library lacks the function. */
        synchronized MethodHandle handle() {
            if (handle == null && !missing) {
                Optional<MemorySegment> address = LINKER.defaultLookup().find(name);
                if (address.isPresent()) {
                    handle = plain(address.get(), descriptor);
                } else {
                    missing = true;
                }
            }
            return handle;
        }
    }

    /** {@code int waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options)} */
    static final class Waitid {
        static final MethodHandle HANDLE = capturingErrno(Libc.waitid$address(), Libc.waitid$descriptor());

        private Waitid() {
        }
    }

    /** {@code pid_t waitpid(pid_t pid, int *wstatus, int options)} */
    static final class Waitpid {
        static final MethodHandle HANDLE = capturingErrno(Libc.waitpid$address(), Libc.waitpid$descriptor());

        private Waitpid() {
        }
    }

    /** {@code int kill(pid_t pid, int sig)} */
    static final class Kill {
        static final MethodHandle HANDLE = capturingErrno(Libc.kill$address(), Libc.kill$descriptor());

        private Kill() {
        }
    }

    private Downcalls() {
    }

    /** The generated descriptor with argument {@code index} linked as {@code layout} instead. */
    private static FunctionDescriptor replaceArgument(FunctionDescriptor generated, int index, MemoryLayout layout) {
        MemoryLayout[] arguments = generated.argumentLayouts().toArray(MemoryLayout[]::new);
        arguments[index] = layout;
        return FunctionDescriptor.of(generated.returnLayout().orElseThrow(), arguments);
    }

    private static MethodHandle critical(MemorySegment address, FunctionDescriptor descriptor) {
        try {
            return LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO, Linker.Option.critical(true));
        } catch (IllegalArgumentException unsupported) {
            return null;
        }
    }

    private static MethodHandle plain(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor);
    }

    private static MethodHandle capturingErrno(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO);
    }
}

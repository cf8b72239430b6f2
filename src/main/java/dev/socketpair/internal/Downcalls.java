package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

/**
 * Builds every downcall handle the library uses; the only class that links native code or makes
 * segments over raw addresses (the C library itself is looked up by {@link CLibrary}).
 *
 * <p>jextract cannot add linker options, so each handle is linked here from the running system's
 * bindings ({@link CLibrary#function}: the C library's symbol and the descriptor the generated bindings give
 * it) with {@code captureCallState("errno")}: the handle takes the capture segment as its first argument
 * and errno is read from there, never from a shared location. C's types differ between systems where
 * the calls do not ({@code nfds_t} is an {@code unsigned long} on Linux and an {@code unsigned int} on
 * the BSDs, {@code id_t} 32 bits on Linux and 64 on FreeBSD), so each handle is adapted to one Java type
 * for every system, written next to it, which is the type {@link Syscalls} calls it with.
 *
 * <p>Each handle lives in a {@code static final} field of a holder class of its own, so that calls
 * through it are constant-folded and a handle is only linked when first used (linking costs
 * milliseconds each, which start-up should not pay for calls it does not make).
 */
@SuppressWarnings("restricted")
final class Downcalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final CLibrary C = Platform.current().library();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MemorySegment.Scope GLOBAL_SCOPE = MemorySegment.NULL.scope();

    /**
     * Returns a view of {@code owned} that no arena guards: a downcall given it does not acquire and
     * release the owning arena around the call, which for a shared arena is two atomic updates per
     * segment argument. Only for memory whose owner guarantees, by its own protocol, that no call can
     * use it after the arena closes. Memory no arena guards already (the global scope, such as
     * {@link ChannelMemory}'s) is returned as it is.
     */
    static MemorySegment unguarded(MemorySegment owned) {
        if (owned.scope().equals(GLOBAL_SCOPE)) {
            return owned;
        }
        return MemorySegment.ofAddress(owned.address()).reinterpret(owned.byteSize());
    }

    /** Returns the {@code size} bytes at the address a downcall returned (a zero-length segment). */
    static MemorySegment sized(MemorySegment address, long size) {
        return address.reinterpret(size);
    }

    /** {@code int socketpair(int domain, int type, int protocol, int sv[2])} */
    static final class Socketpair {
        static final MethodHandle HANDLE = capturingErrno("socketpair",
                int.class, int.class, int.class, int.class, MemorySegment.class);

        private Socketpair() {
        }
    }

    /**
     * {@code int fcntl(int fd, int cmd, ...)}, linked with one variadic {@code int} argument, which is
     * what every command used here (F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC) takes or ignores.
     */
    static final class Fcntl {
        static final MethodHandle HANDLE = capturingErrnoVariadic("fcntl", C.cInt(),
                int.class, int.class, int.class, int.class);

        private Fcntl() {
        }
    }

    /**
     * {@code int ioctl(int fd, unsigned long request, ...)} ({@code int request} in musl), linked with
     * one variadic pointer argument, which is what every request used here (FIONREAD) takes. The
     * request is a {@code long} here, narrowed where the C library declares an {@code int}; the fixed
     * arguments are those of the generated bindings ({@link CLibrary#variadicFunction}).
     */
    static final class Ioctl {
        static final MethodHandle HANDLE = capturingErrnoVariadic("ioctl", C.cPointer(),
                int.class, int.class, long.class, MemorySegment.class);

        private Ioctl() {
        }
    }

    /** {@code int close(int fd)} */
    static final class Close {
        static final MethodHandle HANDLE = capturingErrno("close", int.class, int.class);

        private Close() {
        }
    }

    /** {@code ssize_t send(int fd, const void *buf, size_t len, int flags)} */
    static final class Send {
        static final MethodHandle HANDLE = capturingErrno("send",
                long.class, int.class, MemorySegment.class, long.class, int.class);

        private Send() {
        }
    }

    /** {@code ssize_t recv(int fd, void *buf, size_t len, int flags)} */
    static final class Recv {
        static final MethodHandle HANDLE = capturingErrno("recv",
                long.class, int.class, MemorySegment.class, long.class, int.class);

        private Recv() {
        }
    }

    /**
     * {@code send} and {@code recv}, linked as critical functions that may read and write Java heap
     * memory in place. Only for calls that cannot block ({@code MSG_DONTWAIT}): a critical call holds
     * off the garbage collector. Null where the running JDK refuses the combination with errno capture.
     */
    static final class Critical {
        static final MethodHandle SEND = critical("send",
                long.class, int.class, MemorySegment.class, long.class, int.class);
        static final MethodHandle RECV = critical("recv",
                long.class, int.class, MemorySegment.class, long.class, int.class);
        static final boolean AVAILABLE = SEND != null && RECV != null;

        private Critical() {
        }
    }

    /** {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)} */
    static final class Sendmsg {
        static final MethodHandle HANDLE = capturingErrno("sendmsg",
                long.class, int.class, MemorySegment.class, int.class);

        private Sendmsg() {
        }
    }

    /** {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)} */
    static final class Recvmsg {
        static final MethodHandle HANDLE = capturingErrno("recvmsg",
                long.class, int.class, MemorySegment.class, int.class);

        private Recvmsg() {
        }
    }

    /**
     * {@code int sendmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, int flags)}; on FreeBSD
     * {@code ssize_t} and {@code size_t vlen}. Only where
     * {@link dev.socketpair.internal.platform.Features#batchesMessages()}.
     */
    static final class Sendmmsg {
        static final MethodHandle HANDLE = capturingErrno("sendmmsg",
                long.class, int.class, MemorySegment.class, int.class, int.class);

        private Sendmmsg() {
        }
    }

    /**
     * {@code int recvmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, int flags, struct timespec *timeout)};
     * on FreeBSD {@code ssize_t} and {@code size_t vlen}. Only where
     * {@link dev.socketpair.internal.platform.Features#batchesMessages()}.
     */
    static final class Recvmmsg {
        static final MethodHandle HANDLE = capturingErrno("recvmmsg",
                long.class, int.class, MemorySegment.class, int.class, int.class, MemorySegment.class);

        private Recvmmsg() {
        }
    }

    /** {@code int shutdown(int fd, int how)} */
    static final class Shutdown {
        static final MethodHandle HANDLE = capturingErrno("shutdown", int.class, int.class, int.class);

        private Shutdown() {
        }
    }

    /** {@code int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)} */
    static final class Getsockopt {
        static final MethodHandle HANDLE = capturingErrno("getsockopt",
                int.class, int.class, int.class, int.class, MemorySegment.class, MemorySegment.class);

        private Getsockopt() {
        }
    }

    /** {@code int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)} */
    static final class Setsockopt {
        static final MethodHandle HANDLE = capturingErrno("setsockopt",
                int.class, int.class, int.class, int.class, MemorySegment.class, int.class);

        private Setsockopt() {
        }
    }

    /**
     * {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen)}, the address linked as
     * a pointer on every system (see {@link CLibrary#function}).
     */
    static final class Getsockname {
        static final MethodHandle HANDLE = capturingErrno("getsockname",
                int.class, int.class, MemorySegment.class, MemorySegment.class);

        private Getsockname() {
        }
    }

    /** {@code int getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen)}, as getsockname. */
    static final class Getpeername {
        static final MethodHandle HANDLE = capturingErrno("getpeername",
                int.class, int.class, MemorySegment.class, MemorySegment.class);

        private Getpeername() {
        }
    }

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
    static final class Poll {
        static final MethodHandle HANDLE = capturingErrno("poll",
                int.class, MemorySegment.class, long.class, int.class);

        private Poll() {
        }
    }

    /** {@code int epoll_create1(int flags)} */
    static final class EpollCreate1 {
        static final MethodHandle HANDLE = capturingErrno("epoll_create1", int.class, int.class);

        private EpollCreate1() {
        }
    }

    /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)} */
    static final class EpollCtl {
        static final MethodHandle HANDLE = capturingErrno("epoll_ctl",
                int.class, int.class, int.class, int.class, MemorySegment.class);

        private EpollCtl() {
        }
    }

    /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)} */
    static final class EpollWait {
        static final MethodHandle HANDLE = capturingErrno("epoll_wait",
                int.class, int.class, MemorySegment.class, int.class, int.class);

        private EpollWait() {
        }
    }

    /** {@code char *strerror(int errnum)}: sets no errno worth reading, so nothing is captured. */
    static final class Strerror {
        static final MethodHandle HANDLE = plain("strerror", MemorySegment.class, int.class);

        private Strerror() {
        }
    }

    /** {@code void *calloc(size_t nmemb, size_t size)}: reports failure by its null result, so nothing is captured. */
    static final class Calloc {
        static final MethodHandle HANDLE = plain("calloc", MemorySegment.class, long.class, long.class);

        private Calloc() {
        }
    }

    /** {@code void free(void *ptr)}: linked apart from calloc, when a channel first frees its memory. */
    static final class Free {
        static final MethodHandle HANDLE = plain("free", void.class, MemorySegment.class);

        private Free() {
        }
    }

    /**
     * {@code pid_t getpid(void)}, {@code uid_t getuid(void)}, {@code gid_t getgid(void)}: they always
     * succeed, so nothing is captured.
     */
    static final class Ids {
        static final MethodHandle GETPID = plain("getpid", int.class);
        static final MethodHandle GETUID = plain("getuid", int.class);
        static final MethodHandle GETGID = plain("getgid", int.class);

        private Ids() {
        }
    }

    /**
     * The posix_spawn family. These functions return an error number instead of setting errno, so
     * nothing is captured. Linked together on the first spawn.
     */
    static final class Spawn {
        /** {@code int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *file_actions, const posix_spawnattr_t *attrp, char *const argv[], char *const envp[])} */
        static final MethodHandle SPAWNP = plain("posix_spawnp",
                int.class, MemorySegment.class, MemorySegment.class, MemorySegment.class, MemorySegment.class, MemorySegment.class, MemorySegment.class);
        /** {@code int posix_spawn_file_actions_init(posix_spawn_file_actions_t *file_actions)} */
        static final MethodHandle ACTIONS_INIT = plain("posix_spawn_file_actions_init", int.class, MemorySegment.class);
        /** {@code int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *file_actions)} */
        static final MethodHandle ACTIONS_DESTROY = plain("posix_spawn_file_actions_destroy",
                int.class, MemorySegment.class);
        /** {@code int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *file_actions, int fd, int newfd)} */
        static final MethodHandle ADD_DUP2 = plain("posix_spawn_file_actions_adddup2",
                int.class, MemorySegment.class, int.class, int.class);
        /** {@code int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *file_actions, int fd)} */
        static final MethodHandle ADD_CLOSE = plain("posix_spawn_file_actions_addclose",
                int.class, MemorySegment.class, int.class);
        /** {@code int posix_spawnattr_init(posix_spawnattr_t *attr)} */
        static final MethodHandle ATTR_INIT = plain("posix_spawnattr_init", int.class, MemorySegment.class);
        /** {@code int posix_spawnattr_destroy(posix_spawnattr_t *attr)} */
        static final MethodHandle ATTR_DESTROY = plain("posix_spawnattr_destroy", int.class, MemorySegment.class);
        /** {@code int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)} */
        static final MethodHandle ATTR_SETFLAGS = plain("posix_spawnattr_setflags",
                int.class, MemorySegment.class, short.class);
        /** {@code int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *sigmask)} */
        static final MethodHandle ATTR_SETSIGMASK = plain("posix_spawnattr_setsigmask",
                int.class, MemorySegment.class, MemorySegment.class);
        /** {@code int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *sigdefault)} */
        static final MethodHandle ATTR_SETSIGDEFAULT = plain("posix_spawnattr_setsigdefault",
                int.class, MemorySegment.class, MemorySegment.class);
        /** {@code int sigemptyset(sigset_t *set)}: cannot fail on a valid set. */
        static final MethodHandle SIGEMPTYSET = plain("sigemptyset", int.class, MemorySegment.class);
        /** {@code int sigfillset(sigset_t *set)}: cannot fail on a valid set. */
        static final MethodHandle SIGFILLSET = plain("sigfillset", int.class, MemorySegment.class);

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
     * <p>Not in a holder's class initialiser: where the symbol is missing, that would leave the class
     * unusable, so that every later spawn would fail with {@code NoClassDefFoundError}.
     */
    static final class SpawnExtension {
        static final SpawnExtension ADD_CLOSEFROM = new SpawnExtension("posix_spawn_file_actions_addclosefrom_np",
                MethodType.methodType(int.class, MemorySegment.class, int.class));
        static final SpawnExtension ADD_CHDIR = new SpawnExtension("posix_spawn_file_actions_addchdir_np",
                MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));

        private final String name;
        private final MethodType type;
        // Guarded by this: the handle once linked, or that the symbol is missing (a C library does not
        // gain a function later).
        private MethodHandle handle;
        private boolean missing;

        SpawnExtension(String name, MethodType type) {
            this.name = name;
            this.type = type;
        }

        /** Returns the handle, or null if the C library lacks the function. */
        synchronized MethodHandle handle() {
            if (handle == null && !missing) {
                CLibrary.NativeFunction function = C.function(name).orElse(null);
                if (function != null) {
                    handle = adapted(LINKER.downcallHandle(function.address(), function.descriptor()), type);
                } else {
                    missing = true;
                }
            }
            return handle;
        }
    }

    /**
     * {@code int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen, struct passwd **result)}
     * and {@code int getgrgid_r(gid_t gid, struct group *grp, char *buf, size_t buflen, struct group **result)}:
     * they return an error number rather than set errno, so nothing is captured.
     */
    static final class UserDatabase {
        static final MethodHandle GETPWUID_R = plain("getpwuid_r",
                int.class, int.class, MemorySegment.class, MemorySegment.class, long.class, MemorySegment.class);
        static final MethodHandle GETGRGID_R = plain("getgrgid_r",
                int.class, int.class, MemorySegment.class, MemorySegment.class, long.class, MemorySegment.class);

        private UserDatabase() {
        }
    }

    /** {@code int waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options)} */
    static final class Waitid {
        static final MethodHandle HANDLE = capturingErrno("waitid",
                int.class, int.class, int.class, MemorySegment.class, int.class);

        private Waitid() {
        }
    }

    /** {@code int kill(pid_t pid, int sig)} */
    static final class Kill {
        static final MethodHandle HANDLE = capturingErrno("kill", int.class, int.class, int.class);

        private Kill() {
        }
    }

    private Downcalls() {
    }

    private static MethodHandle critical(String name, Class<?> returnType, Class<?>... parameters) {
        CLibrary.NativeFunction function = function(name);
        try {
            return capturing(LINKER.downcallHandle(function.address(), function.descriptor(), CAPTURE_ERRNO,
                    Linker.Option.critical(true)), returnType, parameters);
        } catch (IllegalArgumentException unsupported) {
            return null;
        }
    }

    private static MethodHandle plain(String name, Class<?> returnType, Class<?>... parameters) {
        CLibrary.NativeFunction function = function(name);
        return adapted(LINKER.downcallHandle(function.address(), function.descriptor()),
                MethodType.methodType(returnType, parameters));
    }

    private static MethodHandle capturingErrno(String name, Class<?> returnType, Class<?>... parameters) {
        CLibrary.NativeFunction function = function(name);
        return capturing(LINKER.downcallHandle(function.address(), function.descriptor(), CAPTURE_ERRNO),
                returnType, parameters);
    }

    /**
     * A variadic function linked with the fixed arguments of its generated bindings
     * ({@link CLibrary#variadicFunction}) and one variadic {@code argument}, capturing errno.
     */
    private static MethodHandle capturingErrnoVariadic(String name, MemoryLayout argument, Class<?> returnType,
                                                       Class<?>... parameters) {
        CLibrary.NativeFunction function = C.variadicFunction(name).orElseThrow(() -> missing(name));
        FunctionDescriptor fixed = function.descriptor();
        MethodHandle linked = LINKER.downcallHandle(function.address(), fixed.appendArgumentLayouts(argument),
                CAPTURE_ERRNO, Linker.Option.firstVariadicArg(fixed.argumentLayouts().size()));
        return capturing(linked, returnType, parameters);
    }

    /** A capturing handle adapted to take the capture segment and then {@code parameters}. */
    private static MethodHandle capturing(MethodHandle linked, Class<?> returnType, Class<?>... parameters) {
        return adapted(linked, MethodType.methodType(returnType, parameters).insertParameterTypes(0, MemorySegment.class));
    }

    /**
     * Converts between the Java types of this system's C types and the library's: widening or narrowing
     * primitives as a C call would ({@code long} to an {@code unsigned int nfds_t}, say).
     */
    private static MethodHandle adapted(MethodHandle linked, MethodType type) {
        return MethodHandles.explicitCastArguments(linked, type);
    }

    private static CLibrary.NativeFunction function(String name) {
        Optional<CLibrary.NativeFunction> function = C.function(name);
        if (function.isEmpty()) {
            throw missing(name);
        }
        return function.get();
    }

    private static UnsatisfiedLinkError missing(String name) {
        return new UnsatisfiedLinkError(C.abi().description() + ": the C library has no " + name);
    }
}

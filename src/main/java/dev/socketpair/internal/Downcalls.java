package dev.socketpair.internal;

import dev.socketpair.internal.libc.Libc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Builds every downcall handle the library uses; the only class that links native code.
 *
 * <p>jextract cannot add linker options, so each handle is linked again here from the generated
 * {@code xxx$address()} and {@code xxx$descriptor()} with {@code captureCallState("errno")}: the handle
 * takes the capture segment as its first argument and errno is read from there, never from a shared
 * location. Each handle lives in a {@code static final} field so calls through it are constant-folded.
 */
@SuppressWarnings("restricted")
final class Downcalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** {@code int socketpair(int domain, int type, int protocol, int sv[2])} */
    static final MethodHandle SOCKETPAIR = capturingErrno(Libc.socketpair$address(), Libc.socketpair$descriptor());

    /**
     * {@code int fcntl(int fd, int cmd, ...)}, linked with one variadic {@code int} argument, which is
     * what every command used here (F_GETFD, F_SETFD, F_GETFL, F_SETFL) takes or ignores.
     */
    static final MethodHandle FCNTL = LINKER.downcallHandle(
            Libc.fcntl.address(),
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT, Libc.C_INT, Libc.C_INT),
            CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));

    /** {@code int close(int fd)} */
    static final MethodHandle CLOSE = capturingErrno(Libc.close$address(), Libc.close$descriptor());

    /** {@code ssize_t send(int fd, const void *buf, size_t len, int flags)} */
    static final MethodHandle SEND = capturingErrno(Libc.send$address(), Libc.send$descriptor());

    /** {@code ssize_t recv(int fd, void *buf, size_t len, int flags)} */
    static final MethodHandle RECV = capturingErrno(Libc.recv$address(), Libc.recv$descriptor());

    /**
     * {@code send}, linked as a critical function that may read Java heap memory in place. Only for
     * calls that cannot block ({@code MSG_DONTWAIT}): a critical call holds off the garbage collector.
     * Null where the running JDK refuses the combination with errno capture.
     */
    static final MethodHandle SEND_CRITICAL = critical(Libc.send$address(), Libc.send$descriptor());

    /** {@code recv}, linked as a critical function that may write Java heap memory in place; as above. */
    static final MethodHandle RECV_CRITICAL = critical(Libc.recv$address(), Libc.recv$descriptor());

    /** {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)} */
    static final MethodHandle SENDMSG = capturingErrno(Libc.sendmsg$address(), Libc.sendmsg$descriptor());

    /** {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)} */
    static final MethodHandle RECVMSG = capturingErrno(Libc.recvmsg$address(), Libc.recvmsg$descriptor());

    /** {@code int shutdown(int fd, int how)} */
    static final MethodHandle SHUTDOWN = capturingErrno(Libc.shutdown$address(), Libc.shutdown$descriptor());

    /** {@code int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)} */
    static final MethodHandle GETSOCKOPT = capturingErrno(Libc.getsockopt$address(), Libc.getsockopt$descriptor());

    /** {@code int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)} */
    static final MethodHandle SETSOCKOPT = capturingErrno(Libc.setsockopt$address(), Libc.setsockopt$descriptor());

    /**
     * {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen)}. glibc declares the
     * address argument as {@code __SOCKADDR_ARG}, a {@code transparent_union} of pointers, which jextract
     * describes as a union passed by value; C passes a transparent union as its first member, so it is
     * linked as a plain pointer.
     */
    static final MethodHandle GETSOCKNAME = capturingErrno(Libc.getsockname$address(),
            replaceArgument(Libc.getsockname$descriptor(), 1, Libc.C_POINTER));

    /** {@code int getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen)}, as getsockname. */
    static final MethodHandle GETPEERNAME = capturingErrno(Libc.getpeername$address(),
            replaceArgument(Libc.getpeername$descriptor(), 1, Libc.C_POINTER));

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
    static final MethodHandle POLL = capturingErrno(Libc.poll$address(), Libc.poll$descriptor());

    /** {@code int epoll_create1(int flags)} */
    static final MethodHandle EPOLL_CREATE1 = capturingErrno(Libc.epoll_create1$address(), Libc.epoll_create1$descriptor());

    /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)} */
    static final MethodHandle EPOLL_CTL = capturingErrno(Libc.epoll_ctl$address(), Libc.epoll_ctl$descriptor());

    /** {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)} */
    static final MethodHandle EPOLL_WAIT = capturingErrno(Libc.epoll_wait$address(), Libc.epoll_wait$descriptor());

    /** {@code char *strerror(int errnum)}: sets no errno worth reading, so nothing is captured. */
    static final MethodHandle STRERROR = LINKER.downcallHandle(Libc.strerror$address(), Libc.strerror$descriptor());

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

    private static MethodHandle capturingErrno(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, CAPTURE_ERRNO);
    }
}

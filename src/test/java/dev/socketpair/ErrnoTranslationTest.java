package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The socketpair(2) errors of the seed pages that no test can bring about on Linux, each made by the
 * kernel on demand ({@link InjectedErrno}) so that {@link SocketPair#open(int, int, int)} meets it on its
 * real path and reports it. Why none can be provoked:
 * <ul>
 * <li>ENFILE: the system-wide file table full ({@code fs.file-max}): it would starve every process on
 *     the machine, and a process with CAP_SYS_ADMIN is exempt from the limit;</li>
 * <li>ENOBUFS, ENOMEM: the kernel out of memory for socket structures;</li>
 * <li>EACCES: a security module (SELinux, AppArmor, a BPF LSM) with a policy denying the socket, which a
 *     test cannot install;</li>
 * <li>EPROTOTYPE: Linux's AF_UNIX never returns it (any protocol but 0 is EPROTONOSUPPORT, which
 *     {@link SocketpairErrorsTest} provokes); BSD kernels return it for a protocol of another type;</li>
 * <li>EFAULT: the library passes its own memory for the descriptor array; {@code SyscallsTest} provokes
 *     it for real through the internal layer.</li>
 * </ul>
 * EMFILE is provoked for real by {@link DescriptorLimitTest}, the other errors by
 * {@link SocketpairErrorsTest}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ErrnoTranslationTest {

    private static final CLibrary C = Platform.current().library();

    /** An address family no kernel has: only the socketpair calls of a test pass it first. */
    private static final int INJECTION_DOMAIN = 0x7e57;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', textBlock = """
            ENFILE;          Too many open files in system
            ENOBUFS;         No buffer space available
            ENOMEM;          Cannot allocate memory
            EACCES;          Permission denied
            EPROTOTYPE;      Protocol wrong type for socket
            EFAULT;          Bad address
            """)
    void socketpairFailuresThatCannotBeProvokedReachTheCallerAsErrnoExceptions(String name, String description)
            throws Exception {
        int errno = errnoNamed(name);
        var before = ProcFd.sockets();
        ErrnoException e = InjectedErrno.failing(INJECTION_DOMAIN, errno, () -> catchThrowableOfType(
                ErrnoException.class, () -> SocketPair.open(INJECTION_DOMAIN, C.constant("SOCK_STREAM"), 0)));

        assertThat(e).as("socketpair failing with %s", name).isInstanceOf(SocketException.class)
                .hasMessage("socketpair: " + name + " (" + description + ")");
        assertThat(e.errno()).isEqualTo(errno);
        assertThat(e.errnoName()).isEqualTo(name);
        assertThat(e.syscall()).isEqualTo("socketpair");
        assertThat(ProcFd.sockets()).isEqualTo(before);
    }

    @Test
    void anInjectedErrnoReplacesTheKernelsAnswerOnlyOnItsThreadAndForItsValue() throws Exception {
        String[] seen = InjectedErrno.failing(INJECTION_DOMAIN, C.errno("ENFILE"), () -> {
            ErrnoException injected = catchThrowableOfType(ErrnoException.class,
                    () -> SocketPair.open(INJECTION_DOMAIN, C.constant("SOCK_STREAM"), 0));
            try (SocketPair pair = SocketPair.open()) {
                return new String[] {injected.errnoName(), pair.first().type().name()};
            }
        });
        assertThat(seen).containsExactly("ENFILE", "STREAM");
        ErrnoException real = catchThrowableOfType(ErrnoException.class,
                () -> SocketPair.open(INJECTION_DOMAIN, C.constant("SOCK_STREAM"), 0));
        assertThat(real.errnoName()).isEqualTo("EAFNOSUPPORT");
    }

    /**
     * Every errno is named as the C library names it: glibc's {@code strerrorname_np}, which knows the
     * names without the generated table the library reads them from, is the reference, and a number it
     * does not name (Linux leaves 41 and 58 unused, and nothing is past EHWPOISON) is "errno N".
     */
    @Test
    @SuppressWarnings("restricted")
    void everyErrnoIsNamedAsTheCLibraryNamesIt() throws Throwable {
        MethodHandle strerrorname = strerrorname();
        int named = 0;
        for (int errno = 1; errno <= C.errno("EHWPOISON") + 16; errno++) {
            MemorySegment name = (MemorySegment) strerrorname.invokeExact(errno);
            String reference = name.equals(MemorySegment.NULL) ? null : name.reinterpret(64).getString(0);
            ErrnoException e = new ErrnoException("recv", errno);
            assertThat(e.errnoName()).as("errno %d", errno).isEqualTo(reference == null ? "errno " + errno : reference);
            assertThat(e.errno()).isEqualTo(errno);
            named += reference == null ? 0 : 1;
        }
        assertThat(named).as("names glibc knows").isGreaterThan(125);
    }

    @Test
    void unknownNumberGetsAUsableName() {
        ErrnoException e = new ErrnoException("recv", 4242);
        assertThat(e.errnoName()).isEqualTo("errno 4242");
        assertThat(e.getMessage()).isEqualTo("recv: errno 4242 (Unknown error 4242)");
        assertThat(e.syscall()).isEqualTo("recv");
    }

    private static int errnoNamed(String name) throws ReflectiveOperationException {
        return (int) C.errno(name);
    }

    /** glibc's {@code const char *strerrorname_np(int errnum)}: the name, or null for an unnamed number. */
    private static MethodHandle strerrorname() {
        return NativeFunctions.downcall("strerrorname_np", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }
}

package dev.socketpair.internal;

import dev.socketpair.Emulation;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The errno-capturing system call layer. */
class SyscallsTest {

    private static final CLibrary C = Platform.current().library();

    @Test
    void socketpairWithAnInvalidAddressFailsWithEfault() {
        Emulation.assumeNative(Emulation.SOCKETPAIR_EFAULT_LEAKS);
        try (Arena arena = Arena.ofConfined()) {
            // Address 8 is in the never-mapped first page of every Linux process.
            int r = Syscalls.socketpair(C.constant("AF_UNIX"), C.constant("SOCK_STREAM"), 0, MemorySegment.ofAddress(8),
                    Syscalls.allocateErrnoCapture(arena));
            assertThat(-r).isEqualTo(C.errno("EFAULT"));
            assertThat(Errno.name(-r)).isEqualTo("EFAULT");
        }
    }

    @Test
    void eachCaptureSegmentKeepsItsOwnThreadsErrno() throws Exception {
        // Two threads fail at the same moment with different errnos, many times: with a shared capture
        // buffer one would read the other's errno.
        CyclicBarrier start = new CyclicBarrier(2);
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<Boolean> afNoSupport = pool.submit(() -> failRepeatedly(start, 0, C.errno("EAFNOSUPPORT")));
            Future<Boolean> protoNoSupport = pool.submit(() -> failRepeatedly(start, 5, C.errno("EPROTONOSUPPORT")));
            assertThat(afNoSupport.get()).isTrue();
            assertThat(protoNoSupport.get()).isTrue();
        }
    }

    private static boolean failRepeatedly(CyclicBarrier start, int variant, int expectedErrno) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Syscalls.allocateErrnoCapture(arena);
            MemorySegment sv = arena.allocate(8);
            start.await();
            for (int i = 0; i < 20_000; i++) {
                int r = variant == 0
                        ? Syscalls.socketpair(12345, C.constant("SOCK_STREAM"), 0, sv, capture)
                        : Syscalls.socketpair(C.constant("AF_UNIX"), C.constant("SOCK_STREAM"), 5, sv, capture);
                if (r != -expectedErrno) {
                    return false;
                }
            }
            return true;
        }
    }

    @Test
    void strerrorDescribesAnErrno() {
        assertThat(Syscalls.strerror(C.errno("EPIPE"))).isEqualTo("Broken pipe");
        assertThat(Syscalls.strerror(C.errno("EMFILE"))).isEqualTo("Too many open files");
    }
}

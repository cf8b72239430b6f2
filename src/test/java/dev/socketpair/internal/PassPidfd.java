package dev.socketpair.internal;

import dev.socketpair.Emulation;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sets {@code SO_PASSPIDFD} on a socket, as any process sharing it may, so that the kernel attaches a
 * pidfd of the sender ({@code SCM_PIDFD}) to every receive with room for it.
 */
public final class PassPidfd {

    private static final CLibrary C = Platform.current().library();

    /**
     * {@code SO_PASSPIDFD} from the kernel's {@code <asm-generic/socket.h>} (Linux 6.5), which x86-64 and
     * arm64 use; the headers the bindings come from predate it, and the library never sets it.
     */
    public static final int SO_PASSPIDFD = 76;

    private PassPidfd() {
    }

    /**
     * Sets the option on {@code fd}; skips the calling test, saying why, on a kernel without it
     * ({@code ENOPROTOOPT} before Linux 6.5) or under an emulator that does not know it.
     */
    public static void enable(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
            int r = Syscalls.setsockopt(fd, C.constant("SOL_SOCKET"), SO_PASSPIDFD, one, (int) one.byteSize(),
                    Syscalls.allocateErrnoCapture(arena));
            if (r == -C.errno("ENOPROTOOPT")) {
                Emulation.assumeNative(Emulation.NO_SO_PASSPIDFD);
            }
            assumeTrue(r != -C.errno("ENOPROTOOPT"), "this kernel has no SO_PASSPIDFD (Linux 6.5 and later have)");
            assertThat(r).as("setsockopt(SO_PASSPIDFD)").isZero();
        }
    }

    /** Whether a /proc/self/fd link target is a pidfd ("anon_inode:[pidfd]", or "pidfd:..." on pidfs). */
    public static boolean isPidfd(String target) {
        return target.equals("anon_inode:[pidfd]") || target.startsWith("pidfd:");
    }
}

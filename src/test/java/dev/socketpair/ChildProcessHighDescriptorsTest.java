package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.Syscalls;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Descriptors placed at, and taken from, the highest numbers the descriptor limit allows: every number
 * below the limit is a number a child may be given, and nothing above the placed numbers is left open
 * in the child.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ChildProcessHighDescriptorsTest {

    private static final CLibrary C = Platform.current().library();

    private int limit;

    @BeforeEach
    void readLimit() {
        long soft = ProcFd.openFilesLimit();
        assumeTrue(soft <= 1 << 20, "a descriptor limit low enough to use its top numbers, have " + soft);
        limit = (int) soft;
    }

    @Test
    void aChannelPlacedAtTheHighestNumberTheLimitAllowsReachesTheChild() throws Exception {
        int top = limit - 1;
        try (SocketPair pair = SocketPair.open()) {
            Process child = Children.python("import os, sys; os.write(int(sys.argv[1]), b'top')", Integer.toString(top))
                    .place(top, pair.second()).start();
            pair.second().close();
            assertThat(Children.readAll(pair.first())).isEqualTo("top");
            assertThat(child.waitFor()).isZero();
        }
    }

    @Test
    void aDescriptorAtTheTopPlacedAtTheTopKeepsItsNumberAndNothingElseIsOpenAboveStdio() throws Exception {
        int top = limit - 1;
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, java.util.EnumSet.noneOf(SocketFlag.class));
             SocketPair listing = SocketPair.open()) {
            int atTop = duplicateAtLeast(pair.second().fd(), top);
            assertThat(atTop).isEqualTo(top);
            try {
                // Inheritable descriptors of this process lie below the top: they must not reach the child.
                assertThat(pair.second().isCloseOnExec()).isFalse();
                Process child = Children.python("""
                                import os, sys
                                top = int(sys.argv[1])
                                os.write(top, b'x')
                                fds = sorted(int(n) for n in os.listdir('/proc/self/fd'))
                                os.write(1, ' '.join(str(fd) for fd in fds if fd > 2).encode())
                                """, Integer.toString(top))
                        .placeDescriptor(top, atTop).place(1, listing.second()).start();
                listing.second().close();
                String open = Children.readAll(listing.first());
                assertThat(child.waitFor()).isZero();
                // The listing's own descriptor is the only other one: the lowest free number.
                assertThat(open.split(" ")).hasSize(2).endsWith(Integer.toString(top));
            } finally {
                assertThat(SocketControl.close(atTop)).isZero();
            }
            pair.second().close();
            ByteBuffer one = ByteBuffer.allocate(1);
            assertThat(pair.first().read(one)).isEqualTo(1);
            assertThat(one.get(0)).isEqualTo((byte) 'x');
        }
    }

    /** fcntl(F_DUPFD_CLOEXEC) with a lowest number: the library itself always asks for the lowest. */
    private static int duplicateAtLeast(int fd, int lowest) {
        try (Arena arena = Arena.ofConfined()) {
            return Syscalls.fcntl(fd, C.constant("F_DUPFD_CLOEXEC"), lowest, Syscalls.allocateErrnoCapture(arena));
        }
    }
}

package dev.socketpair.internal;

import dev.socketpair.RawFd;
import dev.socketpair.internal.libc.Libc;
import dev.socketpair.internal.libc.cmsghdr;
import dev.socketpair.internal.libc.iovec;
import dev.socketpair.internal.libc.msghdr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For tests of control data against the kernel: a SEQPACKET pair and a pipe made through the internal
 * layer, and the native memory to call on them, made before each test and closed after it.
 */
abstract class RawPairFixture {

    Arena arena;
    MemorySegment capture;
    NativeScratch scratch;
    final int[] pair = new int[2];
    final int[] pipe = new int[2];

    @BeforeEach
    void open() {
        arena = Arena.ofConfined();
        capture = Syscalls.allocateErrnoCapture(arena);
        scratch = new NativeScratch(arena);
        assertThat(SocketControl.socketpair(Libc.AF_UNIX(), Libc.SOCK_SEQPACKET() | Libc.SOCK_CLOEXEC(), 0, pair))
                .isZero();
        System.arraycopy(RawFd.pipe(true), 0, pipe, 0, 2);
    }

    @AfterEach
    void close() {
        RawFd.close(pair[0], pair[1], pipe[0], pipe[1]);
        arena.close();
    }

    /** One recvmsg on {@code pair[1]} of a one-byte message into a fresh header and {@code space} bytes of control buffer. */
    MemorySegment receive(long space) {
        return receive(space, Libc.MSG_CMSG_CLOEXEC());
    }

    /** As {@link #receive(long)}, with recvmsg's {@code flags} as given. */
    MemorySegment receive(long space, int flags) {
        MemorySegment header = msghdr.allocate(arena);
        MemorySegment iov = iovec.allocate(arena);
        MemorySegment data = arena.allocate(16);
        iovec.iov_base(iov, data);
        iovec.iov_len(iov, data.byteSize());
        msghdr.msg_iov(header, iov);
        msghdr.msg_iovlen(header, 1);
        msghdr.msg_control(header, arena.allocate(space, cmsghdr.layout().byteAlignment()));
        msghdr.msg_controllen(header, space);
        long n = Syscalls.recvmsg(pair[1], header, flags, capture);
        assertThat(n).isEqualTo(1);
        return header;
    }
}

package dev.socketpair.internal;

import dev.socketpair.internal.platform.Structs;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.RawFd;
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

    private static final CLibrary C = Platform.current().library();

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
        System.arraycopy(RawFd.socketpair(C.constant("AF_UNIX"), C.constant("SOCK_SEQPACKET") | C.constant("SOCK_CLOEXEC")),
                0, pair, 0, 2);
        System.arraycopy(RawFd.pipe(true), 0, pipe, 0, 2);
    }

    @AfterEach
    void close() {
        RawFd.close(pair[0], pair[1], pipe[0], pipe[1]);
        arena.close();
    }

    /** One recvmsg on {@code pair[1]} of a one-byte message into a fresh header and {@code space} bytes of control buffer. */
    MemorySegment receive(long space) {
        return receive(space, C.constant("MSG_CMSG_CLOEXEC"));
    }

    /** As {@link #receive(long)}, with recvmsg's {@code flags} as given. */
    MemorySegment receive(long space, int flags) {
        MemorySegment header = arena.allocate(Structs.MSGHDR);
        MemorySegment iov = arena.allocate(Structs.IOVEC);
        MemorySegment data = arena.allocate(16);
        Structs.IOV_BASE.setAddress(iov, 0, data);
        Structs.IOV_LEN.set(iov, data.byteSize());
        Structs.MSG_IOV.setAddress(header, 0, iov);
        Structs.MSG_IOVLEN.set(header, 1);
        Structs.MSG_CONTROL.setAddress(header, 0, arena.allocate(space, Structs.ControlMessage.CMSGHDR.byteAlignment()));
        Structs.MSG_CONTROLLEN.set(header, space);
        long n = Syscalls.recvmsg(pair[1], header, flags, capture);
        assertThat(n).isEqualTo(1);
        return header;
    }
}

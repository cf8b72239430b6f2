package dev.socketpair.internal;

import dev.socketpair.internal.libc.Libc;
import dev.socketpair.internal.libc.cmsghdr;
import dev.socketpair.internal.libc.iovec;
import dev.socketpair.internal.libc.msghdr;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Control data built by hand, past what the library itself builds: several {@code SOL_SOCKET} messages
 * of any type in one buffer, and sendmsg(2) with them.
 */
public final class RawMessages {

    private static final long INT = ValueLayout.JAVA_INT.byteSize();
    private static final long HEADER = cmsghdr.layout().byteSize();

    /** One control message: its {@code SOL_SOCKET} type and the descriptors it holds. */
    public record Message(int type, int... fds) {
        /** An {@code SCM_RIGHTS} message. */
        public static Message rights(int... fds) {
            return new Message(Libc.SCM_RIGHTS(), fds);
        }
    }

    private RawMessages() {
    }

    /** Lays {@code messages} out one after another, each at its {@code CMSG_SPACE}, in {@code arena}. */
    public static MemorySegment control(Arena arena, Message... messages) {
        long size = 0;
        for (Message m : messages) {
            size += ControlMessages.space(m.fds().length * INT);
        }
        MemorySegment control = arena.allocate(size, cmsghdr.layout().byteAlignment()).fill((byte) 0);
        long at = 0;
        for (Message m : messages) {
            MemorySegment header = control.asSlice(at, HEADER);
            cmsghdr.cmsg_len(header, ControlMessages.length(m.fds().length * INT));
            cmsghdr.cmsg_level(header, Libc.SOL_SOCKET());
            cmsghdr.cmsg_type(header, m.type());
            MemorySegment.copy(m.fds(), 0, control, ValueLayout.JAVA_INT, ControlMessages.data(at), m.fds().length);
            at += ControlMessages.space(m.fds().length * INT);
        }
        return control;
    }

    /**
     * Sends {@code data} with {@code messages} in one blocking sendmsg(2).
     *
     * @return the bytes sent, or {@code -errno}
     */
    public static long send(int fd, byte[] data, Message... messages) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = msghdr.allocate(arena).fill((byte) 0);
            MemorySegment iov = iovec.allocate(arena);
            iovec.iov_base(iov, arena.allocateFrom(ValueLayout.JAVA_BYTE, data));
            iovec.iov_len(iov, data.length);
            msghdr.msg_iov(header, iov);
            msghdr.msg_iovlen(header, 1);
            MemorySegment control = control(arena, messages);
            msghdr.msg_control(header, control);
            msghdr.msg_controllen(header, control.byteSize());
            return Syscalls.sendmsg(fd, header, Libc.MSG_NOSIGNAL(), Syscalls.allocateErrnoCapture(arena));
        }
    }
}

package dev.socketpair.internal;

import dev.socketpair.internal.platform.Structs;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Control data built by hand, past what the library itself builds: several {@code SOL_SOCKET} messages
 * of any type in one buffer, and sendmsg(2) with them.
 */
public final class RawMessages {

    private static final CLibrary C = Platform.current().library();

    private static final long INT = ValueLayout.JAVA_INT.byteSize();
    private static final long HEADER = Structs.ControlMessage.CMSGHDR.byteSize();

    /** One control message: its {@code SOL_SOCKET} type and the descriptors it holds. */
    public record Message(int type, int... fds) {
        /** An {@code SCM_RIGHTS} message. */
        public static Message rights(int... fds) {
            return new Message(C.constant("SCM_RIGHTS"), fds);
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
        MemorySegment control = arena.allocate(size, Structs.ControlMessage.CMSGHDR.byteAlignment()).fill((byte) 0);
        long at = 0;
        for (Message m : messages) {
            MemorySegment header = control.asSlice(at, HEADER);
            Structs.ControlMessage.CMSG_LEN.set(header, ControlMessages.length(m.fds().length * INT));
            Structs.ControlMessage.CMSG_LEVEL.set(header, C.constant("SOL_SOCKET"));
            Structs.ControlMessage.CMSG_TYPE.set(header, m.type());
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
            MemorySegment header = arena.allocate(Structs.MSGHDR).fill((byte) 0);
            MemorySegment iov = arena.allocate(Structs.IOVEC);
            Structs.IOV_BASE.setAddress(iov, 0, arena.allocateFrom(ValueLayout.JAVA_BYTE, data));
            Structs.IOV_LEN.set(iov, data.length);
            Structs.MSG_IOV.setAddress(header, 0, iov);
            Structs.MSG_IOVLEN.set(header, 1);
            MemorySegment control = control(arena, messages);
            Structs.MSG_CONTROL.setAddress(header, 0, control);
            Structs.MSG_CONTROLLEN.set(header, control.byteSize());
            return Syscalls.sendmsg(fd, header, C.constant("MSG_NOSIGNAL"), Syscalls.allocateErrnoCapture(arena));
        }
    }
}

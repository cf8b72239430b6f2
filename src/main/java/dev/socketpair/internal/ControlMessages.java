package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Features;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.StructField;
import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.GroupLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Ancillary data of sendmsg(2) and recvmsg(2): the {@code CMSG_*} arithmetic of
 * {@code <sys/socket.h>}, and the {@code SCM_RIGHTS} and {@code SCM_CREDENTIALS} messages built and
 * parsed with it.
 *
 * <p>The {@code CMSG_*} macros are function-like, so jextract cannot bind them; this class computes
 * what they compute from two facts the target's C compiler evaluated for the bindings
 * ({@code SOCKETPAIR_CMSG_ALIGNMENT}, {@code SOCKETPAIR_CMSG_DATA_OFFSET}, defined in the regeneration
 * kit's header from {@code CMSG_SPACE} and {@code CMSG_LEN}) and the size of the generated
 * {@code struct cmsghdr}: systems differ in both (glibc and musl align to 8 with the data at 16, macOS
 * to 4 with the data at 12, FreeBSD to 8 after a 12-byte header). Offsets here are from the start of
 * the control buffer; -1 stands for C's null header pointer.
 *
 * @see <a href="https://man7.org/linux/man-pages/man3/cmsg.3.html">cmsg(3)</a>
 * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
 */
public final class ControlMessages {

    private static final Platform PLATFORM = Platform.current();
    private static final CLibrary C = PLATFORM.library();

    /** No further header: C's null {@code struct cmsghdr *}. */
    public static final long NONE = -1;

    private static final GroupLayout CMSGHDR = Structs.ControlMessage.CMSGHDR;
    private static final StructField CMSG_LEN = Structs.ControlMessage.CMSG_LEN;
    private static final StructField CMSG_LEVEL = Structs.ControlMessage.CMSG_LEVEL;
    private static final StructField CMSG_TYPE = Structs.ControlMessage.CMSG_TYPE;
    private static final long HEADER_SIZE = CMSGHDR.byteSize();
    /** What {@code CMSG_SPACE} rounds every message to. */
    private static final long ALIGNMENT = C.constant("SOCKETPAIR_CMSG_ALIGNMENT");
    /** Where {@code CMSG_DATA} puts a message's data, from the start of its header: {@code CMSG_LEN(0)}. */
    private static final long DATA_OFFSET = C.constant("SOCKETPAIR_CMSG_DATA_OFFSET");
    private static final long INT_SIZE = ValueLayout.JAVA_INT.byteSize();
    private static final int SOL_SOCKET = C.constant("SOL_SOCKET");
    private static final int SCM_RIGHTS = C.constant("SCM_RIGHTS");
    private static final int F_SETFD = C.constant("F_SETFD");
    private static final int FD_CLOEXEC = C.constant("FD_CLOEXEC");
    /** Where the system sends credentials in a message ({@link Features#sendsCredentials}); else null. */
    private static final Credentials CREDENTIALS = Features.sendsCredentials() ? new Credentials(C) : null;
    /** The space credentials take in a control buffer, 0 where the system sends none. */
    private static final long CREDENTIALS_SPACE = CREDENTIALS != null ? space(CREDENTIALS.size) : 0;
    /**
     * The control message in which Linux 6.5 and later install a pidfd of the sender, on every receive
     * with room for it, once anyone sharing the socket has set {@code SO_PASSPIDFD}: the library hands
     * no pidfd out, so it closes each one. Where the system has none, {@code SCM_RIGHTS} stands in,
     * which {@link #parse} handles first, so that no message is taken for a pidfd.
     */
    static final int SCM_PIDFD = C.hasConstant("SCM_PIDFD") ? C.constant("SCM_PIDFD") : SCM_RIGHTS;

    /**
     * The most descriptors the library sends in one message: the kernel's limit
     * ({@link Platform#maxDescriptorsPerMessage}), less where the C library limits the control data
     * ({@link Platform#maxControlBytes}) so that the descriptors and this process's credentials fit
     * together.
     */
    public static final int MAX_DESCRIPTORS = maxDescriptors(PLATFORM.maxDescriptorsPerMessage(),
            PLATFORM.maxControlBytes());

    /** The {@code SCM_CREDENTIALS} message's data, a {@code struct ucred}. */
    private static final class Credentials {
        final int type;
        final long size;
        final StructField pid;
        final StructField uid;
        final StructField gid;

        Credentials(CLibrary c) {
            GroupLayout ucred = c.struct("ucred");
            type = c.constant("SCM_CREDENTIALS");
            size = ucred.byteSize();
            pid = StructField.of(ucred, "pid");
            uid = StructField.of(ucred, "uid");
            gid = StructField.of(ucred, "gid");
        }
    }

    private ControlMessages() {
    }

    /** {@code CMSG_ALIGN(length)}: rounded up to the alignment of every control message. */
    public static long align(long length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** {@code CMSG_SPACE(dataLength)}: the bytes a message with that much data takes in a buffer. */
    public static long space(long dataLength) {
        return align(dataLength) + align(HEADER_SIZE);
    }

    /** {@code CMSG_LEN(dataLength)}: the {@code cmsg_len} of a message with that much data. */
    public static long length(long dataLength) {
        return align(HEADER_SIZE) + dataLength;
    }

    /** {@code CMSG_DATA}: the offset of the data of the message whose header is at {@code header}. */
    public static long data(long header) {
        return header + DATA_OFFSET;
    }

    /**
     * {@code CMSG_FIRSTHDR}: the offset of the first header in a buffer holding {@code controlLength}
     * bytes of control data, or {@link #NONE}.
     */
    public static long firstHeader(long controlLength) {
        return controlLength >= HEADER_SIZE ? 0 : NONE;
    }

    /**
     * {@code CMSG_NXTHDR}: the offset of the header after the one at {@code header}, or {@link #NONE}
     * if there is none within {@code controlLength} bytes (glibc's {@code __cmsg_nxthdr}: a header
     * shorter than itself ends the walk, and so does a next message that does not fit whole).
     */
    public static long nextHeader(MemorySegment control, long controlLength, long header) {
        long length = CMSG_LEN.get(control.asSlice(header, HEADER_SIZE));
        if (length < HEADER_SIZE) {
            return NONE;
        }
        long next = header + align(length);
        if (next + HEADER_SIZE > controlLength) {
            return NONE;
        }
        long nextLength = CMSG_LEN.get(control.asSlice(next, HEADER_SIZE));
        if (next + align(nextLength) > controlLength) {
            return NONE;
        }
        return next;
    }

    /** The buffer space a receive needs to accept {@code maxDescriptors} and the sender's credentials. */
    public static long receiveSpace(int maxDescriptors) {
        return space(maxDescriptors * INT_SIZE) + CREDENTIALS_SPACE;
    }

    private static int maxDescriptors(int kernelLimit, long maxControlBytes) {
        int n = kernelLimit;
        while (n > 0 && space(n * INT_SIZE) + CREDENTIALS_SPACE > maxControlBytes) {
            n--;
        }
        return n;
    }

    /**
     * Writes the control data of one send into {@code scratch}'s control buffer: an {@code SCM_RIGHTS}
     * message with {@code fds} if there are any, then an {@code SCM_CREDENTIALS} message with this
     * process's ids if {@code credentials}.
     *
     * @return the control data, exactly as long as {@code msg_controllen} must be; empty if none
     * @throws UnsupportedOperationException if {@code credentials} and the system sends none with
     *                                       messages ({@link Features#sendsCredentials})
     */
    public static MemorySegment outgoing(NativeScratch scratch, int[] fds, boolean credentials) {
        if (credentials && CREDENTIALS == null) {
            // Not the system's name: in portable mode the system may well send them.
            throw new UnsupportedOperationException("this system sends no credentials with messages");
        }
        long size = (fds.length > 0 ? space(fds.length * INT_SIZE) : 0) + (credentials ? CREDENTIALS_SPACE : 0);
        if (size == 0) {
            return MemorySegment.NULL;
        }
        MemorySegment control = scratch.control(size).asSlice(0, size).fill((byte) 0);
        long header = 0;
        if (fds.length > 0) {
            MemorySegment message = control.asSlice(header, HEADER_SIZE);
            CMSG_LEN.set(message, length(fds.length * INT_SIZE));
            CMSG_LEVEL.set(message, SOL_SOCKET);
            CMSG_TYPE.set(message, SCM_RIGHTS);
            MemorySegment.copy(fds, 0, control, ValueLayout.JAVA_INT, data(header), fds.length);
            header += space(fds.length * INT_SIZE);
        }
        if (credentials) {
            MemorySegment message = control.asSlice(header, HEADER_SIZE);
            CMSG_LEN.set(message, length(CREDENTIALS.size));
            CMSG_LEVEL.set(message, SOL_SOCKET);
            CMSG_TYPE.set(message, CREDENTIALS.type);
            MemorySegment ids = control.asSlice(data(header), CREDENTIALS.size);
            CREDENTIALS.pid.set(ids, Syscalls.getpid());
            CREDENTIALS.uid.set(ids, Integer.toUnsignedLong(Syscalls.getuid()));
            CREDENTIALS.gid.set(ids, Integer.toUnsignedLong(Syscalls.getgid()));
        }
        return control;
    }

    /** A control buffer of {@link #receiveSpace} for {@code maxDescriptors}, from {@code scratch}. */
    public static MemorySegment incoming(NativeScratch scratch, int maxDescriptors) {
        long size = receiveSpace(maxDescriptors);
        return scratch.control(size).asSlice(0, size);
    }

    /**
     * What one recvmsg's control data carried: the descriptors kept (now the caller's to close), how many
     * more arrived and were closed, and the sender's credentials if there were any.
     */
    public record Received(int[] descriptors, int closed, boolean hasCredentials, int pid, int uid, int gid) {
    }

    /**
     * Walks the {@code controlLength} bytes of control data the kernel wrote, keeps the first
     * {@code maxDescriptors} descriptors of its {@code SCM_RIGHTS} messages and closes the others, so
     * that none is left without an owner. A pidfd ({@code SCM_PIDFD}) is closed too: of the
     * {@code SOL_SOCKET} messages Linux delivers on an AF_UNIX socket, these two carry descriptors;
     * the others ({@code SCM_CREDENTIALS}, {@code SCM_SECURITY}, timestamps) carry bytes.
     *
     * <p>Where recvmsg cannot install descriptors close-on-exec ({@link Features#receivesCloseOnExec}),
     * each descriptor kept is made so here, as {@link #parse(MemorySegment, long, int, boolean,
     * NativeScratch)} with {@code setCloseOnExec} does.
     */
    public static Received parse(MemorySegment control, long controlLength, int maxDescriptors,
                                 NativeScratch scratch) {
        return parse(control, controlLength, maxDescriptors, !Features.receivesCloseOnExec(), scratch);
    }

    /**
     * As {@link #parse(MemorySegment, long, int, NativeScratch)}; with {@code setCloseOnExec}, each
     * descriptor kept is made close-on-exec before it is handed out, and one that cannot be (fcntl(2)
     * fails) is closed and counted with those past the limit rather than handed out inheritable. Between
     * recvmsg and this, a child that another thread forks and execs inherits the received descriptors.
     */
    public static Received parse(MemorySegment control, long controlLength, int maxDescriptors,
                                 boolean setCloseOnExec, NativeScratch scratch) {
        int[] kept = new int[Math.min(maxDescriptors, 4)];
        int count = 0;
        int closed = 0;
        boolean hasCredentials = false;
        int pid = 0;
        int uid = 0;
        int gid = 0;
        for (long header = firstHeader(controlLength); header != NONE;
             header = nextHeader(control, controlLength, header)) {
            MemorySegment message = control.asSlice(header, HEADER_SIZE);
            long dataLength = Math.min(CMSG_LEN.get(message), controlLength - header) - length(0);
            if (dataLength < 0 || CMSG_LEVEL.getInt(message) != SOL_SOCKET) {
                continue;
            }
            int type = CMSG_TYPE.getInt(message);
            if (type == SCM_RIGHTS) {
                int n = (int) (dataLength / INT_SIZE);
                for (int i = 0; i < n; i++) {
                    int fd = control.get(ValueLayout.JAVA_INT, data(header) + i * INT_SIZE);
                    if (count < maxDescriptors && (!setCloseOnExec || makeCloseOnExec(fd, scratch))) {
                        if (count == kept.length) {
                            kept = Arrays.copyOf(kept, Math.min(maxDescriptors, kept.length * 2));
                        }
                        kept[count++] = fd;
                    } else {
                        closeInstalled(fd, scratch);
                        closed++;
                    }
                }
            } else if (type == SCM_PIDFD) {
                for (long at = 0; at + INT_SIZE <= dataLength; at += INT_SIZE) {
                    closeInstalled(control.get(ValueLayout.JAVA_INT, data(header) + at), scratch);
                }
            } else if (CREDENTIALS != null && type == CREDENTIALS.type && dataLength >= CREDENTIALS.size) {
                MemorySegment ids = control.asSlice(data(header), CREDENTIALS.size);
                hasCredentials = true;
                pid = CREDENTIALS.pid.getInt(ids);
                uid = CREDENTIALS.uid.getInt(ids);
                gid = CREDENTIALS.gid.getInt(ids);
            }
        }
        return new Received(count == kept.length ? kept : Arrays.copyOf(kept, count), closed, hasCredentials,
                pid, uid, gid);
    }

    /**
     * Sets {@code FD_CLOEXEC}, the only descriptor flag, on a descriptor recvmsg just installed.
     *
     * @return whether fcntl(2) succeeded
     */
    private static boolean makeCloseOnExec(int fd, NativeScratch scratch) {
        return Syscalls.fcntl(fd, F_SETFD, FD_CLOEXEC, scratch.errno()) == 0;
    }

    /**
     * Closes a descriptor recvmsg just installed and nobody gets, once: close(2) releases it even when
     * it reports an error, so there is nothing to retry.
     */
    private static void closeInstalled(int fd, NativeScratch scratch) {
        Syscalls.close(fd, scratch.errno());
    }
}

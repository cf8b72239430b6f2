package dev.socketpair.internal.platform;

import java.lang.foreign.GroupLayout;

/**
 * The running system's layouts of the structs every system shares, and the members the library
 * reads and writes, for the code above the seam. Read once, when first used, from the
 * {@link Platform}'s bindings; safe for use by multiple threads.
 */
public final class Structs {

    private static final CLibrary C = Platform.current().library();

    /** {@code struct msghdr} */
    public static final GroupLayout MSGHDR = C.struct("msghdr");
    /** {@code msghdr.msg_iov} */
    public static final StructField MSG_IOV = StructField.of(MSGHDR, "msg_iov");
    /** {@code msghdr.msg_iovlen}: a {@code size_t} on glibc, an {@code int} on musl and the BSDs */
    public static final StructField MSG_IOVLEN = StructField.of(MSGHDR, "msg_iovlen");
    /** {@code msghdr.msg_control} */
    public static final StructField MSG_CONTROL = StructField.of(MSGHDR, "msg_control");
    /** {@code msghdr.msg_controllen}: a {@code size_t} on glibc, a {@code socklen_t} elsewhere */
    public static final StructField MSG_CONTROLLEN = StructField.of(MSGHDR, "msg_controllen");
    /** {@code msghdr.msg_flags} */
    public static final StructField MSG_FLAGS = StructField.of(MSGHDR, "msg_flags");

    /** {@code struct iovec} */
    public static final GroupLayout IOVEC = C.struct("iovec");
    /** {@code iovec.iov_base} */
    public static final StructField IOV_BASE = StructField.of(IOVEC, "iov_base");
    /** {@code iovec.iov_len} */
    public static final StructField IOV_LEN = StructField.of(IOVEC, "iov_len");

    /** {@code struct pollfd} */
    public static final GroupLayout POLLFD = C.struct("pollfd");
    /** {@code pollfd.fd} */
    public static final StructField POLL_FD = StructField.of(POLLFD, "fd");
    /** {@code pollfd.events} */
    public static final StructField POLL_EVENTS = StructField.of(POLLFD, "events");
    /** {@code pollfd.revents} */
    public static final StructField POLL_REVENTS = StructField.of(POLLFD, "revents");

    private Structs() {
    }

    /**
     * {@code struct cmsghdr} of ancillary data: read when first used, apart from the others, because a
     * channel's class computes the most descriptors a message carries from it when it is loaded.
     */
    public static final class ControlMessage {
        // Its own, not Structs': reading that would load every layout above.
        private static final CLibrary LIBRARY = Platform.current().library();

        /** {@code struct cmsghdr} */
        public static final GroupLayout CMSGHDR = LIBRARY.struct("cmsghdr");
        /** {@code cmsghdr.cmsg_len}: a {@code size_t} on glibc, a {@code socklen_t} elsewhere */
        public static final StructField CMSG_LEN = StructField.of(CMSGHDR, "cmsg_len");
        /** {@code cmsghdr.cmsg_level} */
        public static final StructField CMSG_LEVEL = StructField.of(CMSGHDR, "cmsg_level");
        /** {@code cmsghdr.cmsg_type} */
        public static final StructField CMSG_TYPE = StructField.of(CMSGHDR, "cmsg_type");

        private ControlMessage() {
        }
    }

    /** {@code struct linger} ({@code SO_LINGER}): read when first used. */
    public static final class Linger {
        /** {@code struct linger} */
        public static final GroupLayout LINGER = C.struct("linger");
        /** {@code linger.l_onoff}: non-zero while lingering is on */
        public static final StructField ON_OFF = StructField.of(LINGER, "l_onoff");
        /** {@code linger.l_linger}: the interval, in seconds for {@link Platform#lingerOption()} */
        public static final StructField INTERVAL = StructField.of(LINGER, "l_linger");

        private Linger() {
        }
    }

    /** {@code struct passwd} and {@code struct group} of the user and group databases: read when first used. */
    public static final class UserDatabase {
        /** {@code struct passwd} */
        public static final GroupLayout PASSWD = C.struct("passwd");
        /** {@code passwd.pw_name}: the user's name, a C string */
        public static final StructField PW_NAME = StructField.of(PASSWD, "pw_name");
        /** {@code struct group} */
        public static final GroupLayout GROUP = C.struct("group");
        /** {@code group.gr_name}: the group's name, a C string */
        public static final StructField GR_NAME = StructField.of(GROUP, "gr_name");

        private UserDatabase() {
        }
    }

    /** {@code struct epoll_event} of Linux: read when first used, so only where the system has epoll. */
    public static final class Epoll {
        /** {@code struct epoll_event}: packed on x86-64 (12 bytes), aligned on aarch64 (16) */
        public static final GroupLayout EPOLL_EVENT = C.struct("epoll_event");
        /** {@code epoll_event.events} */
        public static final StructField EVENTS = StructField.of(EPOLL_EVENT, "events");
        /** {@code epoll_event.data.fd} */
        public static final StructField DATA_FD = StructField.of(EPOLL_EVENT, "data", "fd");

        private Epoll() {
        }
    }

    /**
     * {@code struct mmsghdr} of sendmmsg(2) and recvmmsg(2): read when first used, so only where
     * {@link Features#batchesMessages()} says the system has them.
     */
    public static final class MessageBatch {
        /** {@code struct mmsghdr}: a {@code struct msghdr} and the length of its message */
        public static final GroupLayout MMSGHDR = C.struct("mmsghdr");
        /** The offset of {@code mmsghdr.msg_hdr}, a {@code struct msghdr} whose members are {@link Structs}'. */
        public static final long MSG_HDR = StructField.offsetOf(MMSGHDR, "msg_hdr");
        /** {@code mmsghdr.msg_len}: an {@code unsigned int} on Linux, an {@code ssize_t} on FreeBSD */
        public static final StructField MSG_LEN = StructField.of(MMSGHDR, "msg_len");

        private MessageBatch() {
        }
    }
}

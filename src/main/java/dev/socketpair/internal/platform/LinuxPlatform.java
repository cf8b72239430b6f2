package dev.socketpair.internal.platform;

import java.lang.foreign.GroupLayout;

/**
 * Linux, with glibc or musl, on x86-64 or aarch64: epoll, {@code SO_PEERCRED} and
 * {@code SCM_CREDENTIALS} with {@code struct ucred}, and every atomic descriptor flag.
 */
final class LinuxPlatform extends Platform {

    /** musl's {@code sendmsg} control buffer ({@code src/network/sendmsg.c}); no header names it. */
    private static final long MUSL_MAX_CONTROL_BYTES = 1024;

    LinuxPlatform(CLibrary library) {
        super(library);
    }

    /**
     * {@inheritDoc} musl's sendmsg copies the control data into a buffer of 1024 bytes of its own, to
     * fix up {@code cmsg_len} for the kernel, and fails with {@code ENOMEM} beyond it; glibc passes it
     * on as it is.
     */
    @Override
    public long maxControlBytes() {
        return switch (library().abi()) {
            case LINUX_MUSL_X86_64, LINUX_MUSL_AARCH64 -> MUSL_MAX_CONTROL_BYTES;
            default -> Long.MAX_VALUE;
        };
    }

    @Override
    public String openDescriptorsDirectory() {
        return "/proc/self/fd";
    }

    @Override
    public boolean hasEpoll() {
        return true;
    }

    @Override
    public boolean sendsCredentials() {
        return true;
    }

    @Override
    public PeerCredentialsQuery peerCredentials() {
        GroupLayout ucred = library().struct("ucred");
        return new PeerCredentialsQuery(library().constant("SOL_SOCKET"), library().constant("SO_PEERCRED"), ucred,
                StructField.of(ucred, "uid"), StructField.of(ucred, "gid"), StructField.of(ucred, "pid"), null);
    }

    @Override
    public ChildStatusFields childStatusFields() {
        GroupLayout siginfo = library().struct("siginfo_t");
        return switch (library().abi()) {
            // musl names the kernel's unions its own way; the offsets are the kernel's, as glibc's.
            case LINUX_MUSL_X86_64, LINUX_MUSL_AARCH64 -> ChildStatusFields.of(siginfo,
                    new String[] {"__si_fields", "__si_common", "__first", "__piduid", "si_pid"},
                    new String[] {"__si_fields", "__si_common", "__second", "__sigchld", "si_status"});
            default -> ChildStatusFields.of(siginfo, new String[] {"_sifields", "_sigchld", "si_pid"},
                    new String[] {"_sifields", "_sigchld", "si_status"});
        };
    }
}

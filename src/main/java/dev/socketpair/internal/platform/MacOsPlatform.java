package dev.socketpair.internal.platform;

import java.lang.foreign.GroupLayout;

/**
 * macOS 11 and later: no epoll (readiness from poll(2)), no {@code SOCK_CLOEXEC}, {@code SOCK_NONBLOCK}
 * or {@code MSG_CMSG_CLOEXEC} (each applied with fcntl(2) after the call), no closefrom for children;
 * the peer's credentials through {@code LOCAL_PEERCRED} ({@code struct xucred}, without the pid) and
 * {@code LOCAL_PEERPID}; the linger interval in seconds through {@code SO_LINGER_SEC}. The kernel accepts
 * only descriptors in control messages.
 */
final class MacOsPlatform extends Platform {

    MacOsPlatform(CLibrary library) {
        super(library);
    }

    /** {@return {@code SO_LINGER_SEC}}: the interval of macOS's own {@code SO_LINGER} is in clock ticks. */
    @Override
    public int lingerOption() {
        return library().constant("SO_LINGER_SEC");
    }

    @Override
    public PeerCredentialsQuery peerCredentials() {
        GroupLayout xucred = library().struct("xucred");
        return new PeerCredentialsQuery(library().constant("SOL_LOCAL"), library().constant("LOCAL_PEERCRED"), xucred,
                StructField.of(xucred, "cr_uid"), StructField.firstElement(xucred, "cr_groups"), null,
                library().constant("LOCAL_PEERPID"));
    }

    @Override
    public ChildStatusFields childStatusFields() {
        return ChildStatusFields.of(library().struct("siginfo_t"));
    }
}

package dev.socketpair.internal.platform;

import java.lang.foreign.GroupLayout;

/**
 * FreeBSD 14 and later: no epoll (readiness from poll(2)), the peer's credentials through
 * {@code LOCAL_PEERCRED} with {@code struct xucred}, which carries the pid ({@code cr_pid}).
 */
final class FreeBsdPlatform extends Platform {

    FreeBsdPlatform(CLibrary library) {
        super(library);
    }

    @Override
    public PeerCredentialsQuery peerCredentials() {
        GroupLayout xucred = library().struct("xucred");
        return new PeerCredentialsQuery(library().constant("SOL_LOCAL"), library().constant("LOCAL_PEERCRED"), xucred,
                StructField.of(xucred, "cr_uid"), StructField.firstElement(xucred, "cr_groups"),
                StructField.of(xucred, "cr_pid"), null);
    }

    @Override
    public ChildStatusFields childStatusFields() {
        return ChildStatusFields.of(library().struct("siginfo_t"));
    }
}

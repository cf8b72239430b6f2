package dev.socketpair.internal.platform;

import java.lang.foreign.GroupLayout;

/**
 * DragonFly BSD: no epoll (readiness from poll(2)), no closefrom for children, the peer's credentials
 * through {@code LOCAL_PEERCRED} with {@code struct xucred}, which has no pid and no option gives it.
 * Its headers name no option level for {@code LOCAL_PEERCRED}; the bindings carry the one its own
 * {@code getpeereid(3)} passes, as {@code SOCKETPAIR_SOL_LOCAL}.
 */
final class DragonFlyPlatform extends Platform {

    DragonFlyPlatform(CLibrary library) {
        super(library);
    }

    @Override
    public PeerCredentialsQuery peerCredentials() {
        GroupLayout xucred = library().struct("xucred");
        return new PeerCredentialsQuery(library().constant("SOCKETPAIR_SOL_LOCAL"), library().constant("LOCAL_PEERCRED"),
                xucred, StructField.of(xucred, "cr_uid"), StructField.firstElement(xucred, "cr_groups"), null, null);
    }

    @Override
    public ChildStatusFields childStatusFields() {
        return ChildStatusFields.of(library().struct("siginfo_t"));
    }
}

package dev.socketpair;

import dev.socketpair.internal.UserDatabase;
import jdk.net.UnixDomainPrincipal;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Optional;

/**
 * The {@link UnixDomainPrincipal} of a peer's credentials, as the JDK's own UNIX-domain channels give it
 * for {@link jdk.net.ExtendedSocketOptions#SO_PEERCRED}: principals of the default file system's
 * {@link UserPrincipalLookupService}, which compare equal to the JDK's for the same ids, named as the
 * user and group databases name the ids, or by the number where they give no name.
 *
 * <p>Stateless; safe for use by multiple threads. Each call looks the ids up afresh, which may block for
 * as long as the databases' sources take to answer.
 */
final class PeerPrincipals {

    private PeerPrincipals() {
    }

    /**
     * Returns the principal of the user and group of {@code credentials}.
     *
     * @throws IOException if the lookup service fails
     */
    static UnixDomainPrincipal of(Credentials credentials) throws IOException {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        Charset names = ChildProcessBuilder.fileNameCharset();
        int uid = (int) credentials.uid();
        int gid = (int) credentials.gid();
        UserPrincipal user = principal(lookup::lookupPrincipalByName, uid, UserDatabase.userName(uid, names));
        GroupPrincipal group = principal(lookup::lookupPrincipalByGroupName, gid, UserDatabase.groupName(gid, names));
        return new UnixDomainPrincipal(user, group);
    }

    /** A lookup of the service by name. */
    @FunctionalInterface
    private interface Lookup<P extends UserPrincipal> {
        P byName(String name) throws IOException;
    }

    /**
     * Returns the principal of an id. The lookup service takes names only, and a number where no entry
     * has it as a name, so the id's principal is that of its number (as {@code int}, how the JDK keeps
     * ids); the principal of the id's name is taken instead when it is equal (the same id), which it is
     * unless the databases give that name to another id as well.
     */
    private static <P extends UserPrincipal> P principal(Lookup<P> lookup, int id, Optional<String> name)
            throws IOException {
        P byNumber = lookup.byName(Integer.toString(id));
        if (name.isPresent()) {
            try {
                P byName = lookup.byName(name.get());
                if (byName.equals(byNumber)) {
                    return byName;
                }
            } catch (UserPrincipalNotFoundException removed) {
                // The entry went between the two lookups; the number still names the id.
            }
        }
        return byNumber;
    }
}

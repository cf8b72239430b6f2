package dev.socketpair;

import dev.socketpair.internal.platform.Features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Whether this system sends credentials with messages ({@code SCM_CREDENTIALS}, {@code SO_PASSCRED}:
 * Linux, and not in portable mode), for the tests that need them to skip where it does not, and the
 * credentials this process has.
 */
public final class CredentialsSupport {

    private CredentialsSupport() {
    }

    /** {@return whether credentials go with messages here}, as the library decides it. */
    public static boolean sent() {
        return Features.sendsCredentials();
    }

    /** Skips the calling test where no credentials go with messages. */
    public static void assumeSent() {
        assumeThat(sent()).as("only where credentials go with messages (SCM_CREDENTIALS, SO_PASSCRED: Linux, "
                + "not in portable mode); here sendCredentials and SO_PASSCRED throw UnsupportedOperationException")
                .isTrue();
    }

    /** Skips the calling test where credentials go with messages. */
    public static void assumeNotSent() {
        assumeThat(sent()).as("only where no credentials go with messages (macOS, the BSDs, portable mode); "
                + "here they do").isFalse();
    }

    /** This process's credentials as /proc/self/status gives them: the real uid and gid. */
    public static Credentials thisProcess() {
        long uid = -1;
        long gid = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                } else if (line.startsWith("Gid:")) {
                    gid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Credentials(ProcessHandle.current().pid(), uid, gid);
    }
}

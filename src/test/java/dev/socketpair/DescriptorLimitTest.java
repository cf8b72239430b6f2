package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** EMFILE, provoked in a child JVM started with a descriptor limit of 128. */
class DescriptorLimitTest {

    private static final CLibrary C = Platform.current().library();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void socketpairFailsWithEmfileAtTheDescriptorLimitAndOpenPairsStillWork() throws Exception {
        String output = AtDescriptorLimit.run(DescriptorLimitProbe.class);

        assertThat(output).contains("failure socketpair: EMFILE (Too many open files)",
                "failure syscall socketpair, errno " + C.errno("EMFILE") + " named EMFILE");
        int opened = Integer.parseInt(output.lines().filter(l -> l.startsWith("opened ")).findFirst()
                .orElseThrow().substring("opened ".length()));
        // Two descriptors a pair, below a limit of 128 with the JVM's own files open.
        assertThat(opened).isBetween(20, 63);
        assertThat(output).contains("first pair carries 42");
        assertThat(output).contains("sendChannels at the limit: fcntl: EMFILE (Too many open files)");
        assertThat(output).contains("duplicateDescriptor at the limit: fcntl: EMFILE (Too many open files)");
        assertThat(output).contains("after closing one, open succeeds: true");
    }
}

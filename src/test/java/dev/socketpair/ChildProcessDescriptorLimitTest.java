package dev.socketpair;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child started while this process has no descriptor free (see
 * {@link ChildProcessDescriptorLimitProbe}, in a child JVM with a descriptor limit of 128): it starts,
 * since posix_spawn needs no descriptor, but the JDK cannot make its ProcessHandle then; the handle is
 * taken later, while the child is not yet reaped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildProcessDescriptorLimitTest {

    private static String output;

    @BeforeAll
    static void runProbe() throws Exception {
        output = AtDescriptorLimit.run(ChildProcessDescriptorLimitProbe.class);
        assertThat(output).contains("filled with ", "warm-up handle alive true", "warm-up exit 0 false");
    }

    @Test
    void aStartThatFailsBeforeTheLimitIsReportedWithItsErrno() {
        Emulation.assumeNative(Emulation.SPAWN_ERRORS_LOST);
        assertThat(output).contains("warm-up error ENOENT");
    }

    @Test
    void childrenStartWhenNoDescriptorIsFree() {
        assertThat(output).contains("started at the limit: true true");
    }

    @Test
    void toHandleWithNoDescriptorFreeSaysWhyAndThatALaterCallMaySucceed() {
        assertThat(output).containsPattern("toHandle at the limit: UnsupportedOperationException no ProcessHandle "
                + "for pid \\d+: /proc/\\d+/stat could not be read \\(no descriptor free\\?\\) now; try again once "
                + "descriptors are free");
    }

    @Test
    void toHandleOfAChildStartedWithNoDescriptorFreeWorksOnceDescriptorsAreFree() {
        assertThat(output).contains("toHandle once descriptors are free: pid matches, alive true");
    }

    @Test
    void toHandleOfAChildStartedWithNoDescriptorFreeWorksAfterItExitedAndWasReaped() {
        assertThat(output).contains("exit value 0", "toHandle after the exit: pid matches, alive false");
    }

    @Test
    void theHandleTakenLaterSeesTheChildExit() {
        assertThat(output).contains("the handle's onExit completes: true, exit value 0, alive false");
    }
}

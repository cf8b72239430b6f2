package dev.socketpair;

import dev.socketpair.internal.platform.Features;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Children start as they must where the C library lacks {@code posix_spawn_file_actions_addclosefrom_np}
 * (glibc before 2.34, musl): the child-process scenarios run again in a child JVM with
 * {@code -Ddev.socketpair.portable=true}, which makes the library close every inheritable descriptor one
 * by one instead.
 */
class ChildProcessPortableTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void childrenGetExactlyThePlacedDescriptorsWithoutClosefrom() throws Exception {
        assumeThat(Boolean.getBoolean(Features.PORTABLE_PROPERTY)).as("in portable mode these scenarios already run in this JVM without closefrom")
                .isFalse();
        String output = ProbeJvm.run(TestClassRunner.class, List.of("-D" + Features.PORTABLE_PROPERTY + "=true"),
                List.of(ChildProcessDescriptorsTest.class.getName(), ChildProcessHighDescriptorsTest.class.getName()),
                100);

        assertThat(output).contains("failed 0");
        // Tests of the numbers just below the descriptor limit are skipped where the limit is huge.
        int succeeded = count(output, "succeeded ");
        assertThat(succeeded).as(output).isGreaterThanOrEqualTo(13)
                .isEqualTo(count(output, "found ") - count(output, "skipped "));
    }

    private static int count(String output, String label) {
        return Integer.parseInt(output.lines().filter(line -> line.startsWith(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no \"" + label + "\" in " + output))
                .substring(label.length()).trim());
    }
}

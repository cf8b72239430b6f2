package dev.socketpair;

import dev.socketpair.internal.platform.Features;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.socketpair.SelectorAllocationProbe.FEW_READY;
import static dev.socketpair.SelectorAllocationProbe.MANY_READY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The heap a select loop allocates in steady state, counted exactly by the JVM's counter of the selecting
 * thread's allocation ({@link SelectorAllocationProbe}): nothing for each key selected and handled (its
 * interest set changed included), on either readiness backend, whether the keys go to the selected-key
 * set or to an action; and so in a JVM whose compiler does away with no allocation too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SelectorAllocationTest {

    /**
     * What a round may allocate whatever it selects: the selected-key set's iterator (32 bytes), and the
     * JDK's downcall machinery for the wait (40 bytes), where the compiler does not do away with them. A
     * HashSet and boxed descriptor numbers cost 4,800 bytes for 100 keys.
     */
    private static final double ROUND_BOUND = 128;
    /**
     * What each key selected may add to a round, on average: less than a small object for every ten keys,
     * so that a difference in what the compiler leaves of a round between the two measurements is no
     * failure. A HashSet and boxed descriptor numbers cost 48 bytes a key.
     */
    private static final double KEY_BOUND = 2;

    @ParameterizedTest(name = "{0}, action={1}")
    @CsvSource({"EPOLL, false", "EPOLL, true", "POLL, false", "POLL, true"})
    void aSelectLoopAllocatesNothingForEachKeyItSelectsAndHandles(Backend backend, boolean action) throws Exception {
        assumeTrue(SelectorAllocationProbe.supported(), "the JVM counts each thread's allocation");
        double[] bytes = SelectorAllocationProbe.bytesPerRound(backend, action);
        assertBounded(bytes[0], bytes[1]);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSelectLoopAllocatesNothingForEachKeyEvenWhereTheCompilerDoesAwayWithNoAllocation(Backend backend)
            throws Exception {
        assumeTrue(SelectorAllocationProbe.supported(), "the JVM counts each thread's allocation");
        assumeFalse(Boolean.getBoolean(Features.PORTABLE_PROPERTY), "the child JVM, which names its backend, is the same in either mode: run once");
        String output = ProbeJvm.run(SelectorAllocationProbe.class, List.of("-XX:-DoEscapeAnalysis"),
                List.of(backend.name()), 100);
        List<String> lines = output.lines().filter(line -> line.matches("(set|action) .*")).toList();
        assertThat(lines).as(output).hasSize(2);
        for (String line : lines) {
            String[] fields = line.split(" ");
            assertBounded(Double.parseDouble(fields[1]), Double.parseDouble(fields[2]));
        }
    }

    private static void assertBounded(double perRoundFew, double perRoundMany) {
        assertThat((perRoundMany - perRoundFew) / (MANY_READY - FEW_READY))
                .as("bytes per extra key selected: %.2f per round with %d, %.2f with %d",
                        perRoundFew, FEW_READY, perRoundMany, MANY_READY)
                .isLessThan(KEY_BOUND);
        assertThat(perRoundMany).as("bytes per round with %d keys selected", MANY_READY).isLessThan(ROUND_BOUND);
    }
}

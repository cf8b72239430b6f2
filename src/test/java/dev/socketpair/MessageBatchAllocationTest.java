package dev.socketpair;

import dev.socketpair.internal.platform.Features;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.socketpair.MessageBatchAllocationProbe.FEW;
import static dev.socketpair.MessageBatchAllocationProbe.MANY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The heap a loop of message batches allocates in steady state, counted exactly by the JVM's counter of
 * the thread's allocation ({@link MessageBatchAllocationProbe}): nothing for each message of a batch, from
 * direct or heap buffers, on the path this JVM takes (sendmmsg and recvmmsg, or in portable mode a sendmsg
 * and a recvmsg per message); and nothing for each message of one sendmmsg or recvmmsg in a JVM whose
 * compiler does away with no allocation either.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MessageBatchAllocationTest {

    /**
     * What a round may allocate whatever its batches hold: the JDK's downcall machinery, 40 bytes a
     * system call where the compiler does not do away with it, for a send and a receive.
     */
    private static final double ROUND_BOUND = 256;
    /**
     * What each message of a batch may add to a round, on average: less than a small object for every
     * ten messages. A segment made for each iovec's address costs 40 bytes a message, copied ones twice.
     */
    private static final double MESSAGE_BOUND = 2;

    @ParameterizedTest(name = "{0}, direct={1}")
    @CsvSource({"DGRAM, true", "DGRAM, false", "SEQPACKET, true", "SEQPACKET, false"})
    void aLoopOfBatchesAllocatesNothingForEachMessage(SocketType type, boolean direct) throws Exception {
        assumeTrue(MessageBatchAllocationProbe.supported(), "the JVM counts each thread's allocation");
        double[] bytes = MessageBatchAllocationProbe.bytesPerRound(type, direct);
        assertBounded(bytes[0], bytes[1]);
    }

    @Test
    void oneSystemCallPerBatchAllocatesNothingForEachMessageEvenWhereTheCompilerDoesAwayWithNoAllocation()
            throws Exception {
        assumeTrue(MessageBatchAllocationProbe.supported(), "the JVM counts each thread's allocation");
        assumeFalse(Boolean.getBoolean(Features.PORTABLE_PROPERTY), "the child JVM takes sendmmsg and recvmmsg in either mode: run once (a "
                + "sendmsg per message costs the JDK's 40 bytes a downcall there)");
        for (SocketType type : List.of(SocketType.DGRAM, SocketType.SEQPACKET)) {
            String output = ProbeJvm.run(MessageBatchAllocationProbe.class, List.of("-XX:-DoEscapeAnalysis"),
                    List.of(type.name()), 100);
            List<String> lines = output.lines().filter(line -> line.matches("(direct|heap) .*")).toList();
            assertThat(lines).as(output).hasSize(2);
            for (String line : lines) {
                String[] fields = line.split(" ");
                assertBounded(Double.parseDouble(fields[1]), Double.parseDouble(fields[2]));
            }
        }
    }

    private static void assertBounded(double perRoundFew, double perRoundMany) {
        assertThat((perRoundMany - perRoundFew) / (MANY - FEW))
                .as("bytes per extra message: %.2f per round with %d, %.2f with %d", perRoundFew, FEW, perRoundMany,
                        MANY)
                .isLessThan(MESSAGE_BOUND);
        assertThat(perRoundMany).as("bytes per round with %d messages a batch", MANY).isLessThan(ROUND_BOUND);
    }
}

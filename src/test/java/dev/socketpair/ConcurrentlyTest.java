package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The waits of {@link Concurrently} report a task that fails instead of blocking as such, with what it
 * threw, however its thread's end falls among the reads of /proc that the wait makes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentlyTest {

    /** Enough tries for a thread to end, now and then, between the open and the read of its /proc files. */
    private static final int TRIES = 300;

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aTaskThatFailsAtOnceIsReportedAsEndedWithWhatItThrew(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            for (int i = 0; i < TRIES; i++) {
                IllegalStateException thrown = new IllegalStateException("try " + i);
                AssertionError error = catchThrowableOfType(AssertionError.class,
                        () -> Concurrently.startBlocked(virtual, pair.first(), () -> {
                            throw thrown;
                        }));
                assertThat(error).as("try %d", i).isNotNull();
                assertThat(error).hasMessageContaining("ended instead of having blocked in a channel read or write")
                        .hasCause(thrown);
            }
        }
    }
}

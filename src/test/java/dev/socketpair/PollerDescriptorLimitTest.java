package dev.socketpair;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pollers that park waiting virtual threads are made by the first wait, which fails when no
 * descriptor is free for their epoll instances: in a child JVM started with a descriptor limit of 128
 * that uses up every descriptor before any virtual thread has waited (see
 * {@link PollerDescriptorLimitProbe}). The failure is that call's alone: later calls fail the same way,
 * close still closes, the cleaner still cleans, and once descriptors are free the next wait makes the
 * pollers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollerDescriptorLimitTest {

    private static String output;

    @BeforeAll
    static void runProbe() throws Exception {
        output = AtDescriptorLimit.run(PollerDescriptorLimitProbe.class);
        assertThat(output).contains("filled with ", "warm-up read 1", "warm-up selected 1", "warm-up error EAFNOSUPPORT");
    }

    @Test
    void aVirtualThreadReadFailsWithEmfileFromEpollCreate1EachTimeNoDescriptorIsFree() {
        assertThat(output).contains(
                "virtual read at the limit: ErrnoException epoll_create1 EMFILE",
                "virtual read at the limit again: ErrnoException epoll_create1 EMFILE");
    }

    @Test
    void selectOnAVirtualThreadFailsWithEmfileFromEpollCreate1WhenNoDescriptorIsFree() {
        assertThat(output).contains("virtual select at the limit: ErrnoException epoll_create1 EMFILE");
    }

    @Test
    void closeClosesTheDescriptorOfAChannelWhoseVirtualReaderCouldNotMakeThePollers() {
        assertThat(output).contains(
                "virtual read of the closed channel at the limit: ErrnoException epoll_create1 EMFILE",
                "close: returned, descriptor open: false");
    }

    @Test
    void theCleanerClosesADroppedChannelWhoseVirtualReaderCouldNotMakeThePollers() {
        assertThat(output).contains(
                "virtual read of the dropped channel at the limit: ErrnoException epoll_create1 EMFILE",
                "cleaner closed the dropped channel: true");
    }

    @Test
    void aVirtualThreadReadWorksOnceDescriptorsAreFree() {
        assertThat(output).contains("virtual read once descriptors are free: 42");
    }

    @Test
    void selectOnAVirtualThreadMakesThePollersOnceDescriptorsAreFree() {
        assertThat(output).contains("virtual select once descriptors are free: 1");
    }

    @Test
    void everyChannelAndTheSelectorCloseAfterwards() {
        assertThat(output).contains("closing the rest: closed");
    }
}

package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pollers that park waiting virtual threads are made by the first wait, which fails when no
 * descriptor is free for them (epoll_create1 for the epoll instances, socketpair for the poll(2)
 * poller's wake-up pair): in a child JVM on each backend, started with a descriptor limit of 128, that
 * uses up every descriptor before any virtual thread has waited (see {@link PollerDescriptorLimitProbe}).
 * The failure is that call's alone: later calls fail the same way, close still closes, the cleaner still
 * cleans, and once descriptors are free the next wait makes the pollers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollerDescriptorLimitTest {

    private static final Map<Backend, String> OUTPUTS = new EnumMap<>(Backend.class);

    /** What the probe printed on {@code backend}; run once for each. */
    private static synchronized String output(Backend backend) throws Exception {
        String output = OUTPUTS.get(backend);
        if (output == null) {
            output = AtDescriptorLimit.run(PollerDescriptorLimitProbe.class, backend.jvmOption());
            assertThat(output).contains("filled with ", "warm-up read 1", "warm-up selected 1",
                    "warm-up error EAFNOSUPPORT");
            OUTPUTS.put(backend, output);
        }
        return output;
    }

    /** The call that fails when the pollers cannot get their descriptors. */
    private static String makingThePollers(Backend backend) {
        return backend == Backend.EPOLL ? "epoll_create1" : "socketpair";
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aVirtualThreadReadFailsWithEmfileFromMakingThePollersEachTimeNoDescriptorIsFree(Backend backend)
            throws Exception {
        assertThat(output(backend)).contains(
                "virtual read at the limit: ErrnoException " + makingThePollers(backend) + " EMFILE",
                "virtual read at the limit again: ErrnoException " + makingThePollers(backend) + " EMFILE");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void selectOnAVirtualThreadFailsWithEmfileFromMakingThePollersWhenNoDescriptorIsFree(Backend backend)
            throws Exception {
        assertThat(output(backend)).contains(
                "virtual select at the limit: ErrnoException " + makingThePollers(backend) + " EMFILE");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void closeClosesTheDescriptorOfAChannelWhoseVirtualReaderCouldNotMakeThePollers(Backend backend)
            throws Exception {
        assertThat(output(backend)).contains(
                "virtual read of the closed channel at the limit: ErrnoException " + makingThePollers(backend)
                        + " EMFILE",
                "close: returned, descriptor open: false");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theCleanerClosesADroppedChannelWhoseVirtualReaderCouldNotMakeThePollers(Backend backend) throws Exception {
        assertThat(output(backend)).contains(
                "virtual read of the dropped channel at the limit: ErrnoException " + makingThePollers(backend)
                        + " EMFILE",
                "cleaner closed the dropped channel: true");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aVirtualThreadReadWorksOnceDescriptorsAreFree(Backend backend) throws Exception {
        assertThat(output(backend)).contains("virtual read once descriptors are free: 42");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void selectOnAVirtualThreadMakesThePollersOnceDescriptorsAreFree(Backend backend) throws Exception {
        assertThat(output(backend)).contains("virtual select once descriptors are free: 1");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyChannelAndTheSelectorCloseAfterwards(Backend backend) throws Exception {
        assertThat(output(backend)).contains("closing the rest: closed");
    }
}

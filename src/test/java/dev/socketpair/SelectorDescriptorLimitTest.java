package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * EMFILE from openSelector, in each of the calls that make a selector's descriptors, provoked in a
 * child JVM on each backend started with a descriptor limit of 128; a failed open leaves no descriptor
 * behind. (On poll(2) the selector's only descriptors are its wake-up pair.)
 *
 * <p>The other errnos of those calls cannot be provoked from a test: epoll_create1(2)'s EINVAL needs
 * flags the library never passes, ENFILE and ENOMEM exhaust the whole machine; epoll_ctl(2) on the
 * selector's own wake-up socket fails only with ENOMEM or ENOSPC (the per-user limit of watches,
 * {@code /proc/sys/fs/epoll/max_user_watches}, far beyond what a test may take); a channel's
 * registration fails the same way, and with EBADF, EEXIST or ENOENT only through a bug, which
 * {@code Errors.onOwnDescriptor} turns into an AssertionError. The same ENOMEM or ENOSPC when a poller
 * registers a waiting virtual thread's descriptor surfaces as an ErrnoException from the read, write or
 * select; when the master poller cannot register a sub-poller, the sub-poller polls every millisecond
 * instead of parking until it has events. poll(2) fails only with ENOMEM, or with EINVAL for more entries
 * than the descriptor limit, which a list of open descriptors, each in it once, never has.
 */
class SelectorDescriptorLimitTest {

    @ParameterizedTest
    @EnumSource(Backend.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void openSelectorFailsWithEmfileInEachCallThatMakesADescriptorAndLeaksNothing(Backend backend) throws Exception {
        String output = AtDescriptorLimit.run(SelectorDescriptorLimitProbe.class, backend.jvmOption());

        assertThat(output).contains("warm-up selected 1", "selector at the limit selects 1");
        if (backend == Backend.EPOLL) {
            assertThat(output).contains(
                    "0 free: epoll_create1: EMFILE (Too many open files)",
                    "1 free: socketpair: EMFILE (Too many open files)",
                    "2 free: socketpair: EMFILE (Too many open files)",
                    "3 free: opened");
        } else {
            assertThat(output).contains(
                    "0 free: socketpair: EMFILE (Too many open files)",
                    "1 free: socketpair: EMFILE (Too many open files)",
                    "2 free: opened");
        }
    }
}

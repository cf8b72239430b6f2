package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two virtual threads that answer each other on one carrier wait for each other by yielding, not with
 * the poller: once their exchange is under way, 20,000 round trips complete with every call on the
 * pollers' epoll instances failing on the carrier (a seccomp filter; see {@link VirtualPingPongProbe}).
 * A wait that parked would register with epoll_ctl(2), which the filter fails, and the read would throw.
 *
 * <p>And their reads yield before they first look: a read of a reply makes one receive, where one that
 * looked first would make two, the first finding nothing. One read in 16 (the policy's check
 * interval) looks first, to check that the reply is still not there without the yield; so a round trip, two reads, takes 2 receives and a little more
 * (4 if the reads looked first), which the probe counts on the carrier where the system lets it.
 */
class VirtualPingPongTest {

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void virtualThreadsAnsweringEachOtherOnOneCarrierNeverParkWithThePoller() throws Exception {
        Emulation.assumeNative(Emulation.NO_SECCOMP);
        // With poll(2), the pollers are made with socketpair(2), whose arguments a filter cannot tell from the
        // pairs a test opens: the probe runs with epoll, where the system has it, in portable mode too.
        assumeTrue(Platform.current().hasEpoll(), "the system has no epoll");
        String output = ProbeJvm.run(VirtualPingPongProbe.class, List.of(Backend.EPOLL.jvmOption(),
                "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1"),
                List.of("20000"), 90);
        assertThat(output).contains("pollers refused", "round trips 20000");
        Matcher counted = Pattern.compile("receives per round trip ([0-9.]+)").matcher(output);
        assumeTrue(counted.find(), () -> "receives not counted: " + output);
        assertThat(Double.parseDouble(counted.group(1))).as("receives per round trip").isBetween(2.0, 2.5);
    }
}

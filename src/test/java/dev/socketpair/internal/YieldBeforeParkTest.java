package dev.socketpair.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy of {@link YieldBeforePark}, call by call: a wait yields {@value YieldBeforePark#YIELDS}
 * times before it parks while yielding pays, stops after waits that park anyway, tries again once
 * every {@value YieldBeforePark#PROBE_INTERVAL} waits, and goes on once a wait ends during its yields.
 * And a read yields before its first attempt once {@value YieldBeforePark#REPLIES} reads in a row
 * awaited a reply that came during their yields, until bytes come without it or not after it.
 */
class YieldBeforeParkTest {

    /** One wait that never finds the socket ready: how many times it yielded before parking. */
    private static int waitThatParks(YieldBeforePark policy) {
        int yields = 0;
        while (policy.yieldFirst()) {
            policy.attempted(true);
            yields++;
        }
        return yields;
    }

    /** One wait whose first attempt after a yield finds the socket ready; whether it yielded. */
    private static boolean waitThatEndsAfterAYield(YieldBeforePark policy) {
        if (!policy.yieldFirst()) {
            return false;
        }
        policy.attempted(false);
        return true;
    }

    @Test
    void aNewDirectionYieldsTwiceBeforeItParks() {
        YieldBeforePark policy = new YieldBeforePark();
        assertThat(waitThatParks(policy)).isEqualTo(YieldBeforePark.YIELDS);
    }

    @Test
    void waitsThatParkAnywayStopTheYieldsUntilTheNextProbe() {
        YieldBeforePark policy = new YieldBeforePark();
        assertThat(waitThatParks(policy)).isEqualTo(2);
        assertThat(waitThatParks(policy)).isEqualTo(2);
        for (int wait = 1; wait < YieldBeforePark.PROBE_INTERVAL; wait++) {
            assertThat(waitThatParks(policy)).as("wait %d after the yields stopped", wait).isZero();
        }
        assertThat(waitThatParks(policy)).as("the probe").isEqualTo(2);
        assertThat(waitThatParks(policy)).as("after a probe that parked").isZero();
    }

    @Test
    void aProbeThatEndsItsWaitStartsTheYieldsAgain() {
        YieldBeforePark policy = new YieldBeforePark();
        waitThatParks(policy);
        waitThatParks(policy);
        for (int wait = 1; wait < YieldBeforePark.PROBE_INTERVAL; wait++) {
            waitThatParks(policy);
        }
        assertThat(waitThatEndsAfterAYield(policy)).as("the probe").isTrue();
        assertThat(waitThatParks(policy)).isEqualTo(2);
        assertThat(waitThatParks(policy)).isEqualTo(2);
        assertThat(waitThatParks(policy)).isZero();
    }

    @Test
    void waitsThatEndDuringTheirYieldsKeepThemGoingThroughOccasionalParks() {
        YieldBeforePark policy = new YieldBeforePark();
        for (int round = 0; round < 100; round++) {
            assertThat(waitThatEndsAfterAYield(policy)).as("round %d", round).isTrue();
            assertThat(waitThatEndsAfterAYield(policy)).as("round %d", round).isTrue();
            // One wait in three parks: the score still grows.
            assertThat(waitThatParks(policy)).as("round %d", round).isEqualTo(2);
        }
    }

    @Test
    void attemptsOutsideAWaitChangeNothing() {
        YieldBeforePark policy = new YieldBeforePark();
        waitThatParks(policy);
        waitThatParks(policy);
        // Transfers that went through at once, as most do, are no evidence that yielding pays.
        for (int i = 0; i < 10; i++) {
            policy.attempted(false);
        }
        assertThat(waitThatParks(policy)).isZero();
    }

    @Test
    void anAttemptThatFindsNothingAfterAYieldLeavesTheWaitGoing() {
        YieldBeforePark policy = new YieldBeforePark();
        assertThat(policy.yieldFirst()).isTrue();
        policy.attempted(true);
        assertThat(policy.yieldFirst()).isTrue();
        policy.attempted(false);
        // That wait ended during its yields: the next waits yield as before.
        assertThat(waitThatParks(policy)).isEqualTo(2);
    }

    /**
     * One read of a reply, which the peer sends only once this thread yields: whether the read yielded
     * before its first attempt (and found the reply then) rather than after finding nothing.
     */
    private static boolean readOfAReply(YieldBeforePark policy) {
        if (policy.beforeFirstAttempt()) {
            policy.attempted(false);
            return true;
        }
        policy.attempted(true);
        assertThat(policy.yieldFirst()).as("the wait yields").isTrue();
        policy.attempted(false);
        return false;
    }

    /** A policy whose reads yield before their first attempt. */
    private static YieldBeforePark awaitingReplies() {
        YieldBeforePark policy = new YieldBeforePark();
        for (int read = 0; read < YieldBeforePark.REPLIES; read++) {
            assertThat(readOfAReply(policy)).as("read %d", read).isFalse();
        }
        return policy;
    }

    /** The reads of replies up to the next check, each of which yields before its first attempt. */
    private static void readsUntilTheCheck(YieldBeforePark policy) {
        for (int read = 1; read < YieldBeforePark.CHECK_INTERVAL; read++) {
            assertThat(readOfAReply(policy)).as("read %d", read).isTrue();
        }
    }

    @Test
    void readsYieldFirstAfterRepliesInARowCameDuringTheirYields() {
        readsUntilTheCheck(awaitingReplies());
    }

    @Test
    void aReadThatFindsBytesAtOnceStartsTheCountAgain() {
        YieldBeforePark policy = new YieldBeforePark();
        for (int read = 1; read < YieldBeforePark.REPLIES; read++) {
            readOfAReply(policy);
        }
        // A stream's read: the bytes were there.
        assertThat(policy.beforeFirstAttempt()).isFalse();
        policy.attempted(false);
        for (int read = 1; read < YieldBeforePark.REPLIES; read++) {
            assertThat(readOfAReply(policy)).as("read %d after the stream's", read).isFalse();
        }
        assertThat(readOfAReply(policy)).isFalse();
        assertThat(readOfAReply(policy)).isTrue();
    }

    @Test
    void aYieldAfterWhichTheFirstAttemptFindsNothingStopsThem() {
        YieldBeforePark policy = awaitingReplies();
        assertThat(policy.beforeFirstAttempt()).isTrue();
        policy.attempted(true);
        assertThat(policy.yieldFirst()).isTrue();
        policy.attempted(false);
        assertThat(readOfAReply(policy)).isFalse();
    }

    @Test
    void oneReadInACheckIntervalLooksFirstAndBytesThereStopThem() {
        YieldBeforePark policy = awaitingReplies();
        readsUntilTheCheck(policy);
        assertThat(policy.beforeFirstAttempt()).as("the check").isFalse();
        policy.attempted(false);
        assertThat(readOfAReply(policy)).isFalse();
    }

    @Test
    void aCheckThatFindsNothingKeepsThem() {
        YieldBeforePark policy = awaitingReplies();
        readsUntilTheCheck(policy);
        assertThat(readOfAReply(policy)).as("the check").isFalse();
        readsUntilTheCheck(policy);
    }

    @Test
    void aWaitThatParksStopsThem() {
        YieldBeforePark policy = awaitingReplies();
        assertThat(policy.beforeFirstAttempt()).isTrue();
        policy.attempted(true);
        assertThat(waitThatParks(policy)).isEqualTo(YieldBeforePark.YIELDS);
        assertThat(policy.beforeFirstAttempt()).isFalse();
    }
}

package dev.socketpair.internal;

/**
 * Decides, for one direction of one channel, whether a virtual thread whose transfer would block
 * yields its carrier and tries the transfer again before it parks with the {@link Poller}, and learns
 * from what those attempts find.
 *
 * <p>Parking costs a registration with the poller (epoll_ctl(2)), the poller's epoll_wait(2) and a
 * wake-up from the poller's thread. When the peer is a virtual thread that answers as soon as it runs,
 * yielding lets it run first, and the next attempt finds the answer without any of that: two virtual
 * threads in a request and reply exchange then make no call but their transfers. A wait yields up to
 * {@value #YIELDS} times, each followed by an attempt: the first yield may let the poller run first,
 * which queues the peer behind this thread, and the second lets the peer run.
 *
 * <p>When the attempts after the yields find nothing, they cost a system call each: so a direction goes
 * on yielding only while more than one wait in three ends during its yields, and once it has stopped,
 * it yields again once every {@value #PROBE_INTERVAL} waits, in case the traffic has changed.
 *
 * <p>A reading direction can also yield before a read's first attempt ({@link #beforeFirstAttempt}). In
 * a request and reply exchange the reply is not there yet when the reader first looks, so that attempt
 * is a system call that finds nothing; yielding first lets the peer answer, and the read makes one call.
 * A direction starts doing so after {@value #REPLIES} reads in a row found nothing at first and then
 * got their bytes during the yields of their wait, which a stream seldom gives: its reads mostly find
 * bytes at once, and one that drains the socket lets the writer fill it again. It stops when the attempt
 * after such a yield finds nothing (the peer did not answer in time) or a wait parks. Whether the yield
 * was needed cannot be told from an attempt that finds bytes after it, so one read in
 * {@value #CHECK_INTERVAL} makes its first attempt without the yield, and if that finds bytes, they are
 * arriving without waiting and the direction stops.
 *
 * <p>Not thread-safe: the lock of the direction it serves guards it.
 */
public final class YieldBeforePark {

    /** How many times a wait yields before it parks. */
    static final int YIELDS = 2;
    /** How many waits park at once, after the yields have stopped paying, until one yields again. */
    static final int PROBE_INTERVAL = 32;
    /** What a wait that ends during its yields adds to the score; a wait that parks takes 1 from it. */
    private static final int SUCCESS = 2;
    private static final int MAX_SCORE = 4 * SUCCESS;
    /** How many reads in a row must wait for bytes that come during their yields before reads yield first. */
    static final int REPLIES = 3;
    /** How often a read that would yield before its first attempt makes that attempt first instead. */
    static final int CHECK_INTERVAL = 16;

    // What the next attempt is: the first of a read that reported to beforeFirstAttempt, made at once or
    // after a yield, or neither.
    private static final int NOT_FIRST = 0;
    private static final int FIRST = 1;
    private static final int FIRST_AFTER_YIELD = 2;

    // Above 0: a wait yields before it parks.
    private int score = SUCCESS;
    private int waitsWithoutYield;
    // How many times the current wait has yielded; 0 outside a wait.
    private int yields;
    // Reads in a row that found nothing at first and their bytes during their wait's yields.
    private int replies;
    // Whether a read yields before its first attempt.
    private boolean yieldBeforeFirst;
    // Reads since the last check, while they yield before their first attempt.
    private int sinceCheck;
    private int firstAttempt = NOT_FIRST;

    /**
     * Called by a virtual thread before the first attempt of a blocking read: yields its carrier if the
     * bytes are expected to be a reply that is not there yet (see the class description).
     *
     * @return whether it yielded
     */
    public boolean beforeFirstAttempt() {
        if (!yieldBeforeFirst) {
            firstAttempt = FIRST;
            return false;
        }
        if (++sinceCheck == CHECK_INTERVAL) {
            sinceCheck = 0;
            firstAttempt = FIRST;
            return false;
        }
        firstAttempt = FIRST_AFTER_YIELD;
        Thread.yield();
        return true;
    }

    /**
     * Called by a virtual thread whose transfer found the socket not ready: either yields and returns
     * true, and the caller tries the transfer again at once, or returns false, and the caller parks.
     * (A wait can end after a yield without another attempt only when its direction is shut down or
     * the channel closing: the count it leaves belongs to a direction that makes no more attempts.)
     */
    public boolean yieldFirst() {
        if (yields == 0) {
            if (score == 0 && ++waitsWithoutYield < PROBE_INTERVAL) {
                return false;
            }
            waitsWithoutYield = 0;
        } else if (yields == YIELDS) {
            yields = 0;
            score = Math.max(0, score - 1);
            replies = 0;
            yieldBeforeFirst = false;
            return false;
        }
        yields++;
        Thread.yield();
        return true;
    }

    /**
     * Records whether a transfer's attempt found the socket not ready. Only an attempt after a yield
     * counts, and the first of a read that reported to {@link #beforeFirstAttempt}; every other costs
     * two field reads, since every attempt of every thread reports here.
     */
    public void attempted(boolean wouldBlock) {
        if (firstAttempt != NOT_FIRST) {
            firstFound(!wouldBlock);
        }
        if (yields != 0 && !wouldBlock) {
            yields = 0;
            score = Math.min(MAX_SCORE, score + SUCCESS);
            // Capped: a long exchange must not count its way round to negative.
            replies = Math.min(REPLIES, replies + 1);
            yieldBeforeFirst |= replies == REPLIES;
        }
    }

    /** What the first attempt of a read found: bytes, or nothing yet. */
    private void firstFound(boolean bytes) {
        boolean afterYield = firstAttempt == FIRST_AFTER_YIELD;
        firstAttempt = NOT_FIRST;
        // Bytes there without a yield were not awaited; nothing there after one means the peer did not
        // answer in time. Either way, yielding first does not pay.
        if (bytes != afterYield) {
            replies = 0;
            yieldBeforeFirst = false;
        }
    }
}

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

    // Above 0: a wait yields before it parks.
    private int score = SUCCESS;
    private int waitsWithoutYield;
    // How many times the current wait has yielded; 0 outside a wait.
    private int yields;

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
            return false;
        }
        yields++;
        Thread.yield();
        return true;
    }

    /**
     * Records whether a transfer's attempt found the socket not ready. Only an attempt after a yield
     * counts; every other costs a field read, since every attempt of every thread reports here.
     */
    public void attempted(boolean wouldBlock) {
        if (yields != 0 && !wouldBlock) {
            yields = 0;
            score = Math.min(MAX_SCORE, score + SUCCESS);
        }
    }
}

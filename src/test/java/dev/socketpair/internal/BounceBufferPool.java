package dev.socketpair.internal;

/** What tests in other packages may know of {@link BounceBuffers}: how many buffers of one size it keeps. */
public final class BounceBufferPool {

    /** The buffers of each size kept between calls. */
    public static final int SLOTS_PER_SIZE = BounceBuffers.SLOTS;

    private BounceBufferPool() {
    }
}

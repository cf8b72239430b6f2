package dev.socketpair;

import dev.socketpair.internal.EpollSet;
import dev.socketpair.internal.PollSet;
import dev.socketpair.internal.platform.Features;

import java.io.IOException;
import java.nio.channels.Selector;

/**
 * The two ways the library learns that descriptors are ready, for tests that run each explicitly
 * whatever the system would choose: epoll(7), Linux's, and poll(2), which the BSDs and macOS use and
 * portable mode forces.
 */
enum Backend {
    EPOLL,
    POLL;

    /** Opens a selector on this backend. */
    Selector openSelector() throws IOException {
        return new UnixSelector(UnixSelectorProvider.INSTANCE, this == EPOLL ? EpollSet.open() : PollSet.open());
    }

    /**
     * The option that makes a child JVM use this backend for its selectors and its virtual-thread pollers:
     * portable mode, which takes poll(2) (and every other fallback), or not.
     */
    String jvmOption() {
        return "-D" + Features.PORTABLE_PROPERTY + "=" + (this == POLL);
    }

    /** The backend this JVM's own selectors and pollers use. */
    static Backend current() {
        return Features.epoll() ? EPOLL : POLL;
    }
}

package dev.socketpair.internal;

import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;

/**
 * What a selector's {@link ReadinessSet} must release exactly once: its descriptors, owned in
 * {@link OwnedDescriptors} from construction on, and the native memory its calls use. Run by the set's
 * close, or by a cleaner if the set becomes unreachable unclosed; never refers back to the set.
 */
final class SelectorResources implements Runnable {

    private static final Cleaner CLEANER = Cleaner.create();

    final Arena arena = Arena.ofShared();
    private final int[] descriptors;
    private final OwnedDescriptors.Owner owner = new OwnedDescriptors.Owner("a UnixSelector");
    private volatile int closeResult;

    /** Takes ownership of {@code descriptors}, closed in this order. */
    SelectorResources(int... descriptors) {
        this.descriptors = descriptors.clone();
        for (int fd : this.descriptors) {
            OwnedDescriptors.register(fd, owner);
        }
    }

    /** Has the descriptors and memory released once {@code set} is unreachable, unless closed first. */
    Cleaner.Cleanable cleanWhenUnreachable(Object set) {
        return CLEANER.register(set, this);
    }

    /** After the cleanable has run: 0, or the first {@code -errno} from close(2). */
    int closeResult() {
        return closeResult;
    }

    @Override
    public void run() {
        int r = 0;
        for (int fd : descriptors) {
            int c = OwnedDescriptors.close(fd, owner);
            if (r == 0) {
                r = c;
            }
        }
        closeResult = r;
        arena.close();
    }
}

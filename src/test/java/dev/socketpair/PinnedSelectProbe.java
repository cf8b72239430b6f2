package dev.socketpair;

import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Run by {@link SelectorTest} in a child JVM with one carrier thread: a virtual thread selects while
 * pinned to that carrier (inside a class initialiser, which pins on every JDK, as a selector's monitor
 * does on JDK 22 and 23), and {@code wakeup()} from the main thread must still release it.
 */
public final class PinnedSelectProbe {

    static Selector selector;

    private PinnedSelectProbe() {
    }

    /** Its initialiser selects: the thread that initialises it is pinned until the select returns. */
    static final class Pinned {
        static final int SELECTED;

        static {
            try {
                SELECTED = selector.select();
            } catch (Exception e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        selector = UnixSocketChannel.openSelector();
        CompletableFuture<Integer> selected = new CompletableFuture<>();
        Thread selecting = Thread.ofVirtual().start(() -> selected.complete(Pinned.SELECTED));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (selecting.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        System.out.println("selecting thread " + selecting.getState());
        selector.wakeup();
        try {
            System.out.println("released, selected " + selected.get(10, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            System.out.println("not released by wakeup");
        }
        System.exit(0);
    }
}

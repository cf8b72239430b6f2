package dev.socketpair;

import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link PollerDescriptorLimitTest} in a child JVM whose descriptor limit is low: uses up every
 * descriptor before any virtual thread has waited, so that making the pollers (three epoll instances, or
 * the poll(2) poller's wake-up pair) fails on the first wait; then frees descriptors and waits again.
 */
public final class PollerDescriptorLimitProbe {

    private PollerDescriptorLimitProbe() {
    }

    public static void main(String[] args) throws Exception {
        AtDescriptorLimit.preloadClasses(PollerDescriptorLimitProbe.class);
        warmUp();

        SocketPair reading = SocketPair.open();
        SocketPair closing = SocketPair.open();
        SocketPair later = SocketPair.open();
        SocketPair selected = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK);
        Selector selector = UnixSocketChannel.openSelector();
        selected.second().register(selector, SelectionKey.OP_READ);
        // Only the array refers to the pair, so that emptying it makes the pair unreachable.
        SocketPair[] dropped = {SocketPair.open()};
        int[] droppedFds = {dropped[0].first().fd(), dropped[0].second().fd()};
        List<FileInputStream> files = AtDescriptorLimit.fill();

        System.out.println("virtual read at the limit: " + outcome(() -> reading.second().read(ByteBuffer.allocate(1))));
        System.out.println("virtual read at the limit again: "
                + outcome(() -> reading.second().read(ByteBuffer.allocate(1))));
        System.out.println("virtual select at the limit: " + outcome(selector::select));
        System.out.println("virtual read of the dropped channel at the limit: "
                + outcome(() -> dropped[0].second().read(ByteBuffer.allocate(1))));
        dropped[0] = null;

        int closedFd = closing.second().fd();
        System.out.println("virtual read of the closed channel at the limit: "
                + outcome(() -> closing.second().read(ByteBuffer.allocate(1))));
        System.out.println("close: " + outcome(() -> {
            closing.second().close();
            return "returned";
        }) + ", descriptor open: " + (ProcFd.target(closedFd) != null));

        System.out.println("cleaner closed the dropped channel: " + cleaned(droppedFds));

        AtDescriptorLimit.free(files);
        System.out.println("virtual select once descriptors are free: " + parked(selector::select,
                () -> selected.first().write(ByteBuffer.wrap(new byte[] {7}))));
        ByteBuffer one = ByteBuffer.allocate(1);
        System.out.println("virtual read once descriptors are free: " + parked(() -> {
            later.second().read(one);
            return one.get(0);
        }, () -> later.first().write(ByteBuffer.wrap(new byte[] {42}))));

        System.out.println("closing the rest: " + outcome(() -> {
            selector.close();
            for (SocketPair pair : List.of(reading, closing, later, selected)) {
                pair.close();
            }
            return "closed";
        }));
    }

    /** Loads and runs, without any virtual thread waiting, what the scenarios use. */
    private static void warmUp() throws Exception {
        try (SocketPair pair = SocketPair.open(); Selector selector = UnixSocketChannel.openSelector()) {
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            System.out.println("warm-up read " + outcome(() -> pair.second().read(ByteBuffer.allocate(1))));
            pair.first().configureBlocking(false);
            pair.first().register(selector, SelectionKey.OP_WRITE);
            System.out.println("warm-up selected " + outcome(selector::selectNow));
        }
        try {
            SocketPair.open(-1, 0, 0);
        } catch (ErrnoException expected) {
            System.out.println("warm-up error " + expected.errnoName());
        }
        ProcFd.target(0);
        new FileInputStream("/dev/null").close();
    }

    /**
     * Waits until the cleaner has closed both descriptors of a pair that was dropped without being
     * closed, collecting garbage until it has.
     */
    private static boolean cleaned(int[] fds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (ProcFd.target(fds[0]) == null && ProcFd.target(fds[1]) == null) {
                return true;
            }
            System.gc();
        }
        return false;
    }

    /**
     * Runs {@code call} on a virtual thread, and once that thread is parked (in the poller), {@code release},
     * which makes the call return; says how the call ended.
     */
    private static String parked(Call call, Call release) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(String.valueOf(call.call()));
            } catch (Throwable t) {
                outcome.complete(describe(t));
            }
        });
        while (waiter.getState() != Thread.State.WAITING && !outcome.isDone()) {
            Thread.onSpinWait();
        }
        release.call();
        return outcome.get(10, TimeUnit.SECONDS);
    }

    private interface Call {
        Object call() throws Exception;
    }

    /** Runs {@code call} on a virtual thread and says how it ended. */
    private static String outcome(Call call) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(String.valueOf(call.call()));
            } catch (Throwable t) {
                outcome.complete(describe(t));
            }
        });
        try {
            return outcome.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return describe(e);
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof ErrnoException e) {
            return "ErrnoException " + e.syscall() + " " + e.errnoName();
        }
        return t.getClass().getSimpleName() + " " + t.getMessage();
    }
}

package dev.socketpair;

import dev.socketpair.internal.platform.Platform;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Run by {@link VirtualPingPongTest} in a child JVM with a single carrier thread, where the pollers
 * cannot be made: a seccomp filter on the carrier fails every call whose first argument is
 * {@code EPOLL_CLOEXEC} (epoll_create1(2), with which {@code Poller.start} makes the pollers' instances)
 * with {@code EMFILE}. A client virtual thread starts an echo virtual thread, and they exchange a byte
 * and its successor, a request and its reply, {@code rounds} times. A virtual thread that parked with
 * the poller would make the pollers first, and its read would throw. After the first tenth of the
 * rounds, the probe counts the carrier's recvfrom(2) calls, which both threads make, where the system
 * lets it ({@link SyscallCount}), and prints them per round trip.
 */
public final class VirtualPingPongProbe {

    private VirtualPingPongProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        try (SocketPair pair = SocketPair.open()) {
            Throwable[] failure = new Throwable[2];
            Thread[] echo = new Thread[1];
            Thread client = Thread.ofVirtual().unstarted(() -> {
                refusePollers();
                // Started from the carrier, the echo is queued behind the client, on the same carrier.
                echo[0] = Thread.ofVirtual().uncaughtExceptionHandler((thread, e) -> failure[1] = e).start(() -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(1);
                    try {
                        while (pair.second().read(b.clear()) > 0) {
                            b.put(0, (byte) (b.get(0) + 1));
                            pair.second().write(b.flip());
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException("echo", e);
                    }
                });
                ByteBuffer b = ByteBuffer.allocateDirect(1);
                int counted = rounds - rounds / 10;
                StringBuilder uncounted = new StringBuilder();
                try {
                    for (int i = 0; i < rounds - counted; i++) {
                        roundTrip(pair.first(), b, i);
                    }
                    try (SyscallCount receives = SyscallCount.ofCurrentThread("recvfrom", uncounted)) {
                        for (int i = rounds - counted; i < rounds; i++) {
                            roundTrip(pair.first(), b, i);
                        }
                        if (receives == null) {
                            System.out.println("receives not counted: " + uncounted);
                        } else {
                            System.out.printf(Locale.ROOT, "receives per round trip %.3f%n",
                                    (double) receives.value() / counted);
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("client", e);
                } finally {
                    // The echo ends at end of stream, whatever became of the client.
                    try {
                        pair.first().shutdownOutput();
                    } catch (IOException e) {
                        throw new IllegalStateException("shutdownOutput", e);
                    }
                }
            });
            client.setUncaughtExceptionHandler((thread, e) -> failure[0] = e);
            client.start();
            client.join();
            if (echo[0] != null) {
                echo[0].join();
            }
            for (Throwable t : failure) {
                if (t != null) {
                    throw new AssertionError(t);
                }
            }
            System.out.println("round trips " + rounds);
        }
    }

    /** Sends {@code round} as a byte and reads back its successor, the echo's reply. */
    private static void roundTrip(UnixSocketChannel client, ByteBuffer b, int round) throws IOException {
        b.clear().put(0, (byte) round);
        client.write(b);
        if (client.read(b.clear()) != 1 || b.get(0) != (byte) (round + 1)) {
            throw new IllegalStateException("round " + round + ": no reply, or a wrong one");
        }
    }

    /** Installs the filter on the current carrier. */
    private static void refusePollers() {
        long epollCloexec = Platform.current().library().constant("EPOLL_CLOEXEC");
        int emfile = (int) Platform.current().library().errno("EMFILE");
        String refused = InjectedErrno.install(new Long[] {epollCloexec}, emfile);
        if (refused != null) {
            throw new IllegalStateException("the kernel refuses a seccomp filter (" + refused + ")");
        }
        System.out.println("pollers refused");
    }
}

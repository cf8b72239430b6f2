package dev.socketpair.demo;

import dev.socketpair.ErrnoException;
import dev.socketpair.SocketFlag;
import dev.socketpair.SocketPair;
import dev.socketpair.SocketType;
import dev.socketpair.UnixSocketChannel;
import dev.socketpair.internal.SocketConstants;
import dev.socketpair.internal.SocketControl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A tour of the library in a few lines of output: a pair of each type exchanging data both ways, the
 * descriptor flags as the kernel reports them, and errors from the seed pages as Java sees them.
 */
public final class Demo {

    private Demo() {
    }

    /**
     * Prints the tour to standard output.
     *
     * @param args ignored
     * @throws IOException if a pair cannot be opened or used, which the demo does not expect
     */
    public static void main(String[] args) throws IOException {
        System.out.printf("socketpair for Java on %s %s, Java %s%n%n",
                System.getProperty("os.name"), System.getProperty("os.arch"), Runtime.version());

        System.out.println("Data, both ways:");
        for (SocketType type : SocketType.values()) {
            try (SocketPair pair = SocketPair.open(type)) {
                String there = exchange(pair.first(), pair.second(), "ping");
                String back = exchange(pair.second(), pair.first(), "pong");
                System.out.printf("  %-9s first -> second: %s   second -> first: %s%n", type, there, back);
            }
        }

        System.out.println();
        System.out.println("Flags read back with fcntl(2):");
        try (SocketPair pair = SocketPair.open(SocketType.STREAM)) {
            printFlags("open(STREAM)", pair.first());
        }
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC)) {
            printFlags("open(SEQPACKET, NONBLOCK, CLOEXEC)", pair.first());
            pair.first().configureBlocking(true);
            pair.first().setCloseOnExec(false);
            printFlags("  then configureBlocking(true), setCloseOnExec(false)", pair.first());
        }

        System.out.println();
        System.out.println("Errors:");
        printError("socketpair(AF_INET, SOCK_STREAM, 0)", () -> SocketPair.open(SocketConstants.AF_INET, SocketType.STREAM.value(), 0).close());
        printError("socketpair(AF_UNIX, SOCK_STREAM, 5)",
                () -> SocketPair.open(SocketConstants.AF_UNIX, SocketType.STREAM.value(), 5).close());
        printError("write after the peer closed", () -> {
            try (SocketPair pair = SocketPair.open()) {
                pair.second().close();
                pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            }
        });
    }

    private static String exchange(UnixSocketChannel from, UnixSocketChannel to, String text) throws IOException {
        from.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer received = ByteBuffer.allocateDirect(64);
        int n = to.read(received);
        return '"' + StandardCharsets.US_ASCII.decode(received.flip()).toString() + "\" (" + n + " bytes)";
    }

    private static void printFlags(String label, UnixSocketChannel channel) throws IOException {
        boolean nonBlocking = SocketControl.isNonBlocking(channel.fd()) == 1;
        System.out.printf("  %-52s O_NONBLOCK=%-3s FD_CLOEXEC=%-3s isBlocking()=%s%n", label,
                yesNo(nonBlocking), yesNo(channel.isCloseOnExec()), channel.isBlocking());
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void printError(String label, Action action) {
        try {
            action.run();
            System.out.printf("  %-36s -> no error%n", label);
        } catch (ErrnoException e) {
            System.out.printf("  %-36s -> %s: %s%n", label, e.getClass().getSimpleName(), e.getMessage());
        } catch (IOException e) {
            System.out.printf("  %-36s -> %s%n", label, e);
        }
    }
}

package dev.socketpair.demo;

import dev.socketpair.ChildProcessBuilder;
import dev.socketpair.Credentials;
import dev.socketpair.ErrnoException;
import dev.socketpair.ReceivedMessage;
import dev.socketpair.SocketFlag;
import dev.socketpair.SocketPair;
import dev.socketpair.SocketType;
import dev.socketpair.UnixSocketChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A tour of the library in a few lines of output: a pair of each type exchanging data both ways, the
 * descriptor flags as the kernel reports them, a child process talking over a socket, a socket passed
 * over another, and errors from the socketpair(2) pages as Java sees them.
 */
public final class Demo {

    private Demo() {
    }

    /**
     * Prints the tour to standard output.
     *
     * @param args ignored
     * @throws IOException          if a pair cannot be opened or used, which the demo does not expect
     * @throws InterruptedException if interrupted while waiting for the child process
     */
    public static void main(String[] args) throws IOException, InterruptedException {
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
        System.out.println("A child process with a socket as its standard input and output:");
        try (SocketPair pair = SocketPair.open()) {
            Process cat = new ChildProcessBuilder("cat").place(0, pair.second()).place(1, pair.second()).start();
            pair.second().close();
            pair.first().write(ByteBuffer.wrap("hello, child".getBytes(StandardCharsets.US_ASCII)));
            pair.first().shutdownOutput();
            String echoed = readToEnd(pair.first());
            System.out.printf("  cat (pid %d) echoed \"%s\", exit status %d%n", cat.pid(), echoed, cat.waitFor());
        }

        System.out.println();
        System.out.println("A socket passed over another socket (SCM_RIGHTS), then used:");
        try (SocketPair carrier = SocketPair.open(); SocketPair passed = SocketPair.open()) {
            carrier.first().sendAndClose(ByteBuffer.wrap(new byte[] {1}), passed.second());
            try (ReceivedMessage message = carrier.second().receive(ByteBuffer.allocate(1), 1);
                 UnixSocketChannel received = message.adoptChannel(0)) {
                String through = exchange(received, passed.first(), "through");
                System.out.printf("  %d descriptor received, close-on-exec %s; written through it: %s%n",
                        message.descriptorCount(), yesNo(received.isCloseOnExec()), through);
            }
            Credentials peer = carrier.first().peerCredentials();
            System.out.printf("  peer credentials (SO_PEERCRED): pid %d (this process: %s), uid %d, gid %d%n",
                    peer.pid(), peer.pid() == ProcessHandle.current().pid() ? "yes" : "no", peer.uid(), peer.gid());
        }

        System.out.println();
        System.out.println("Errors:");
        // No system has an address family -1: the domain is refused before the type or protocol is read.
        printError("socketpair(-1, SOCK_STREAM, 0)", () -> SocketPair.open(-1, SocketType.STREAM.value(), 0).close());
        printError("socketpair(AF_UNIX, SOCK_STREAM, 5)",
                () -> SocketPair.open(SocketPair.AF_UNIX, SocketType.STREAM.value(), 5).close());
        printError("a program that does not exist", () -> new ChildProcessBuilder("no-such-program").start());
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

    private static String readToEnd(UnixSocketChannel channel) throws IOException {
        ByteBuffer received = ByteBuffer.allocate(64);
        while (received.hasRemaining() && channel.read(received) >= 0) {
            // until the child's end of stream
        }
        return StandardCharsets.US_ASCII.decode(received.flip()).toString();
    }

    private static void printFlags(String label, UnixSocketChannel channel) throws IOException {
        boolean nonBlocking = !kernelBlockingMode(channel);
        System.out.printf("  %-52s O_NONBLOCK=%-3s FD_CLOEXEC=%-3s isBlocking()=%s%n", label,
                yesNo(nonBlocking), yesNo(channel.isCloseOnExec()), channel.isBlocking());
    }

    /**
     * Reads the {@code O_NONBLOCK} flag of a channel's open file from the kernel, not from the channel's
     * own state: a copy of its descriptor, passed over a socket, shares the flag, and adopting the copy
     * reads the flag with fcntl(2) to set the new channel's blocking mode.
     */
    private static boolean kernelBlockingMode(UnixSocketChannel channel) throws IOException {
        try (SocketPair carrier = SocketPair.open()) {
            carrier.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), channel.fd());
            try (ReceivedMessage message = carrier.second().receive(ByteBuffer.allocate(1), 1);
                 UnixSocketChannel copy = message.adoptChannel(0)) {
                return copy.isBlocking();
            }
        }
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

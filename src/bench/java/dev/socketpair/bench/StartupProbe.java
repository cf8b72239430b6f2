package dev.socketpair.bench;

import dev.socketpair.SocketPair;
import org.newsclub.net.unix.AFUNIXSocketPair;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A whole process whose only job is to open its first socket pair and send one byte across it: started
 * by {@link BenchmarkTable}, which times it from launch to the line this prints once the byte has been
 * read back on the other end.
 */
public final class StartupProbe {

    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ours" -> {
                try (SocketPair pair = SocketPair.open()) {
                    System.out.println("opened and sent " + firstByte(pair.first(), pair.second()));
                }
            }
            case "junixsocket" -> {
                var pair = AFUNIXSocketPair.open();
                try {
                    System.out.println("opened and sent " + firstByte(pair.getSocket1(), pair.getSocket2()));
                } finally {
                    pair.close();
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** Writes one byte on {@code from} and reads it on {@code to}: the byte read. */
    private static int firstByte(SocketChannel from, SocketChannel to) throws IOException {
        from.write(ByteBuffer.wrap(new byte[] {42}));
        ByteBuffer in = ByteBuffer.allocate(1);
        if (to.read(in) != 1) {
            throw new IOException("nothing read");
        }
        return in.get(0);
    }
}

package dev.socketpair.bench;

import dev.socketpair.SocketPair;
import org.newsclub.net.unix.AFUNIXSocketPair;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes connected STREAM pairs of one variant, one after another, for the workloads that open many:
 * this library's {@link SocketPair}, junixsocket's socket pair, or two of the JDK's UNIX-domain
 * SocketChannels connected through one listening socket on a temporary path, which stays open until
 * the source is closed. Both ends of a pair are {@link SocketChannel}s, in blocking mode.
 */
abstract class PairSource implements Closeable {

    /** Two connected ends. */
    record Ends(SocketChannel first, SocketChannel second) implements Closeable {

        /** Closes both ends. */
        @Override
        public void close() throws IOException {
            try {
                first.close();
            } finally {
                second.close();
            }
        }

        /**
         * Writes {@code out} whole from the first end and reads as many bytes on the second into
         * {@code in}, then the same back the other way.
         */
        void exchange(ByteBuffer out, ByteBuffer in) throws IOException {
            send(first, second, out, in);
            send(second, first, out, in);
        }

        private static void send(SocketChannel from, SocketChannel to, ByteBuffer out, ByteBuffer in)
                throws IOException {
            out.clear();
            do {
                from.write(out);
            } while (out.hasRemaining());
            in.clear().limit(out.capacity());
            do {
                if (to.read(in) < 0) {
                    throw new IOException("end of stream");
                }
            } while (in.hasRemaining());
        }
    }

    /** Opens a source of the pairs {@code variant} stands for. */
    static PairSource of(Variant variant) throws IOException {
        return switch (variant) {
            case OURS_DIRECT, OURS_HEAP, OURS_SEGMENT -> new Ours();
            case JUNIXSOCKET -> new Junixsocket();
            case JDK_UNIX -> new JdkUnix();
            default -> throw new UnsupportedOperationException(variant.label + " makes no SocketChannel pairs");
        };
    }

    /** Opens one connected pair. */
    abstract Ends open() throws IOException;

    /** Releases what the source keeps for making pairs; pairs already made stay open. */
    @Override
    public void close() throws IOException {
    }

    private static final class Ours extends PairSource {
        @Override
        Ends open() throws IOException {
            SocketPair pair = SocketPair.open();
            return new Ends(pair.first(), pair.second());
        }
    }

    private static final class Junixsocket extends PairSource {
        @Override
        Ends open() throws IOException {
            var pair = AFUNIXSocketPair.open();
            return new Ends(pair.getSocket1(), pair.getSocket2());
        }
    }

    /** Connect and accept through one listening socket, as a program without socketpair(2) would. */
    private static final class JdkUnix extends PairSource {
        private final Path dir;
        private final UnixDomainSocketAddress address;
        private final ServerSocketChannel server;

        JdkUnix() throws IOException {
            dir = Files.createTempDirectory("spbench");
            address = UnixDomainSocketAddress.of(dir.resolve("s"));
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(address);
            } catch (IOException e) {
                server.close();
                Files.deleteIfExists(dir);
                throw e;
            }
        }

        @Override
        Ends open() throws IOException {
            SocketChannel client = SocketChannel.open(address);
            try {
                return new Ends(client, server.accept());
            } catch (IOException e) {
                client.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                server.close();
            } finally {
                Files.deleteIfExists(address.getPath());
                Files.deleteIfExists(dir);
            }
        }
    }
}

package dev.socketpair.bench;

import dev.socketpair.SocketPair;
import dev.socketpair.SocketType;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXSocketPair;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** What a user could pick to connect two threads, each opened as a pair of {@link End}s. */
public enum Variant {
    /** This library, direct ByteBuffers. */
    OURS_DIRECT("ours, direct ByteBuffer"),
    /** This library, heap ByteBuffers. */
    OURS_HEAP("ours, heap ByteBuffer"),
    /** This library, native MemorySegments. */
    OURS_SEGMENT("ours, MemorySegment"),
    /** No library: plain FFM downcalls of read(2) and write(2) on native segments, see {@link PlainFfmEnd}. */
    PLAIN_FFM("plain FFM read/write (no library)"),
    /** java.nio.channels.Pipe, two of them for a duplex connection; direct buffers. */
    JDK_PIPE("JDK Pipe"),
    /** The JDK's UNIX-domain SocketChannel, connected through a bound temporary path; direct buffers. */
    JDK_UNIX("JDK UNIX SocketChannel"),
    /**
     * The JDK's UNIX-domain SocketChannel with heap ByteBuffers, which it copies through a direct buffer
     * of its own on every read and write: what a heap buffer costs where it cannot be used in place.
     */
    JDK_UNIX_HEAP("JDK UNIX SocketChannel, heap ByteBuffer"),
    /** junixsocket's socket pair (JNI); direct buffers. */
    JUNIXSOCKET("junixsocket"),
    /** jnr-unixsocket's UnixSocketChannel.pair() (JNI through jffi); direct buffers. */
    JNR_UNIXSOCKET("jnr-unixsocket"),
    /**
     * No Java at all: C sending messages 64 to a sendmmsg(2) call to a C peer receiving 64 to a
     * recvmmsg(2), for the batched-messages workload only. Against the C baseline, which makes a call per
     * message, it is what batching itself gains on the machine; no library can gain more.
     */
    C_BATCHED("C, sendmmsg/recvmmsg (64 a call)");

    /** Every variant that is a Java end of a connection, all but {@link #C_BATCHED}. */
    static final List<Variant> CHANNELS = Arrays.stream(values()).filter(v -> v != C_BATCHED).toList();

    /** The label in the results table. */
    final String label;

    Variant(String label) {
        this.label = label;
    }

    /** Two connected ends. */
    record Connection(End first, End second) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            first.close();
            second.close();
        }
    }

    /**
     * Opens a connection of {@code type} whose ends write messages of {@code messageSize} bytes and read
     * with buffers of {@code readSize} bytes. Native memory of the segment variant lives in {@code arena}.
     */
    Connection open(SocketType type, int messageSize, int readSize, Arena arena) throws IOException {
        boolean direct = this != OURS_HEAP && this != JDK_UNIX_HEAP;
        switch (this) {
            case OURS_DIRECT, OURS_HEAP -> {
                SocketPair pair = SocketPair.open(type);
                return new Connection(
                        channelEnd(pair.first(), pair.first(), messageSize, readSize, direct),
                        channelEnd(pair.second(), pair.second(), messageSize, readSize, direct));
            }
            case OURS_SEGMENT -> {
                SocketPair pair = SocketPair.open(type);
                return new Connection(new SegmentEnd(pair.first(), messageSize, readSize, arena),
                        new SegmentEnd(pair.second(), messageSize, readSize, arena));
            }
            case PLAIN_FFM -> {
                requireStream(type);
                return PlainFfmEnd.open(type, messageSize, readSize, arena);
            }
            case JDK_PIPE -> {
                requireStream(type);
                Pipe there = Pipe.open();
                Pipe back = Pipe.open();
                return new Connection(channelEnd(back.source(), there.sink(), messageSize, readSize, true),
                        channelEnd(there.source(), back.sink(), messageSize, readSize, true));
            }
            case JDK_UNIX, JDK_UNIX_HEAP -> {
                requireStream(type);
                Path dir = Files.createTempDirectory("spbench");
                Path path = dir.resolve("s");
                try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    server.bind(UnixDomainSocketAddress.of(path));
                    SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    SocketChannel accepted = server.accept();
                    return new Connection(channelEnd(client, client, messageSize, readSize, direct),
                            channelEnd(accepted, accepted, messageSize, readSize, direct));
                } finally {
                    Files.deleteIfExists(path);
                    Files.deleteIfExists(dir);
                }
            }
            case JUNIXSOCKET -> {
                if (type == SocketType.STREAM) {
                    var pair = AFUNIXSocketPair.open();
                    return new Connection(channelEnd(pair.getSocket1(), pair.getSocket1(), messageSize, readSize, true),
                            channelEnd(pair.getSocket2(), pair.getSocket2(), messageSize, readSize, true));
                }
                var pair = AFUNIXSocketPair.openDatagram(AFSocketType.SOCK_SEQPACKET);
                return new Connection(channelEnd(pair.getSocket1(), pair.getSocket1(), messageSize, readSize, true),
                        channelEnd(pair.getSocket2(), pair.getSocket2(), messageSize, readSize, true));
            }
            case JNR_UNIXSOCKET -> {
                requireStream(type);
                jnr.unixsocket.UnixSocketChannel[] pair = jnr.unixsocket.UnixSocketChannel.pair();
                return new Connection(channelEnd(pair[0], pair[0], messageSize, readSize, true),
                        channelEnd(pair[1], pair[1], messageSize, readSize, true));
            }
            default -> throw new UnsupportedOperationException(label + " has no Java ends");
        }
    }

    private static ChannelEnd channelEnd(java.nio.channels.ReadableByteChannel in,
                                         java.nio.channels.WritableByteChannel out,
                                         int messageSize, int readSize, boolean direct) {
        ByteBuffer outgoing = direct ? AlignedBuffers.direct(messageSize) : ByteBuffer.allocate(messageSize);
        while (outgoing.hasRemaining()) {
            outgoing.put((byte) 7);
        }
        ByteBuffer incoming = direct ? AlignedBuffers.direct(readSize) : ByteBuffer.allocate(readSize);
        return new ChannelEnd(in, out, outgoing, incoming);
    }

    private void requireStream(SocketType type) {
        if (type != SocketType.STREAM) {
            throw new UnsupportedOperationException(label + " has no " + type);
        }
    }
}

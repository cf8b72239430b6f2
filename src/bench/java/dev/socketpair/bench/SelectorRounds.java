package dev.socketpair.bench;

import dev.socketpair.UnixSocketChannel;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Java side of the selector workload: {@code channels} connected channels of one variant registered
 * for reading with one selector, both ends of {@code channels / 2} pairs, so that the workload holds one
 * descriptor per registered channel. A round makes the next {@code ready} channels readable (a different
 * set each round, rotating through all) by writing a byte on each one's peer, then selects until it has
 * read that byte from every one of them. Our channels with our selector
 * ({@link UnixSocketChannel#openSelector()}), or the JDK's UNIX-domain SocketChannels (connected through a
 * listening socket) with the JDK's {@link Selector}.
 */
final class SelectorRounds implements Closeable {

    private final Selector selector;
    private final List<PairSource.Ends> pairs = new ArrayList<>();
    /** The registered channels, and at the same index the channel whose write makes each readable. */
    private final SocketChannel[] channels;
    private final SocketChannel[] peers;
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private final ByteBuffer in = ByteBuffer.allocateDirect(1);
    private int next;

    private SelectorRounds(Selector selector, int channels) {
        this.selector = selector;
        this.channels = new SocketChannel[channels];
        this.peers = new SocketChannel[channels];
        one.put((byte) 1);
    }

    /** Opens and registers {@code channels} channels, an even number, of {@code variant}. */
    static SelectorRounds open(Variant variant, int channels) throws IOException {
        if (channels % 2 != 0) {
            throw new IllegalArgumentException("channels must be even: " + channels);
        }
        Selector selector = switch (variant) {
            case OURS_DIRECT -> UnixSocketChannel.openSelector();
            case JDK_UNIX -> Selector.open();
            default -> throw new UnsupportedOperationException(variant.label);
        };
        SelectorRounds rounds = new SelectorRounds(selector, channels);
        try (PairSource source = PairSource.of(variant)) {
            for (int i = 0; i < channels; i += 2) {
                PairSource.Ends ends = source.open();
                rounds.pairs.add(ends);
                rounds.add(i, ends.first(), ends.second());
                rounds.add(i + 1, ends.second(), ends.first());
            }
            // Registrations are applied by the next selection operation: here, not in the first round.
            selector.selectNow();
        } catch (IOException | RuntimeException e) {
            try {
                rounds.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return rounds;
    }

    private void add(int index, SocketChannel channel, SocketChannel peer) throws IOException {
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ);
        channels[index] = channel;
        peers[index] = peer;
    }

    /** Runs one round in which {@code ready} channels become readable; returns the bytes read. */
    int round(int ready) throws IOException {
        for (int i = 0; i < ready; i++) {
            peers[next].write(one.clear());
            next = next + 1 == channels.length ? 0 : next + 1;
        }
        int read = 0;
        while (read < ready) {
            selector.select();
            Set<SelectionKey> selected = selector.selectedKeys();
            for (SelectionKey key : selected) {
                if (((ReadableByteChannel) key.channel()).read(in.clear()) != 1) {
                    throw new IOException("no byte on a selected channel");
                }
                read++;
            }
            selected.clear();
        }
        return read;
    }

    /** Closes every channel and the selector. */
    @Override
    public void close() throws IOException {
        try {
            for (PairSource.Ends ends : pairs) {
                ends.close();
            }
        } finally {
            selector.close();
        }
    }
}

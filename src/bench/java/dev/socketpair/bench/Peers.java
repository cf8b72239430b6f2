package dev.socketpair.bench;

import dev.socketpair.UnixSocketChannel;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The far side of a benchmark connection, on a thread of its own until the near side closes. */
final class Peers {

    private Peers() {
    }

    /**
     * Reads everything that arrives, in chunks of the end's read buffer, until end of stream or a 0-byte
     * read, which a message socket may return once its peer has closed.
     */
    static Thread drain(End end, boolean virtual) {
        return start(virtual, "drain", () -> {
            while (end.readOnce() > 0) {
                // discard
            }
        });
    }

    /** Sends every message back as it arrives, until end of stream. */
    static Thread echo(End end, boolean virtual) {
        return start(virtual, "echo", () -> {
            for (;;) {
                end.readMessage();
                end.writeMessage();
            }
        });
    }

    /**
     * Receives everything that arrives on {@code channel} in batches, one message per buffer, until end
     * of stream or the channel is closed.
     */
    static Thread drainMessages(UnixSocketChannel channel, ByteBuffer[] buffers) {
        return start(false, "drain-batches", () -> {
            while (channel.receiveMessages(buffers) > 0) {
                for (ByteBuffer b : buffers) {
                    b.clear();
                }
            }
        });
    }

    private interface Loop {
        void run() throws IOException;
    }

    private static Thread start(boolean virtual, String name, Loop loop) {
        Runnable body = () -> {
            try {
                loop.run();
            } catch (IOException endOfStreamOrClosed) {
                // the near side closed: the benchmark is over
            }
        };
        return virtual ? Thread.ofVirtual().name(name).start(body)
                : Thread.ofPlatform().name(name).daemon().start(body);
    }
}

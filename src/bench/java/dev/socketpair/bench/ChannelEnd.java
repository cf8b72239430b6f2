package dev.socketpair.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** An end made of NIO channels and ByteBuffers: every variant but the MemorySegment one. */
final class ChannelEnd implements End {

    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final ByteBuffer outgoing;
    private final ByteBuffer incoming;
    private final AutoCloseable[] resources;

    ChannelEnd(ReadableByteChannel in, WritableByteChannel out, ByteBuffer outgoing, ByteBuffer incoming,
               AutoCloseable... resources) {
        this.in = in;
        this.out = out;
        this.outgoing = outgoing;
        this.incoming = incoming;
        this.resources = resources;
    }

    /** {@return the channel this end reads} */
    ReadableByteChannel in() {
        return in;
    }

    /** {@return the channel this end writes} */
    WritableByteChannel out() {
        return out;
    }

    @Override
    public void writeMessage() throws IOException {
        outgoing.clear();
        do {
            out.write(outgoing);
        } while (outgoing.hasRemaining());
    }

    @Override
    public long readOnce() throws IOException {
        return in.read(incoming.clear());
    }

    @Override
    public void readMessage() throws IOException {
        incoming.clear().limit(outgoing.capacity());
        do {
            if (in.read(incoming) < 0) {
                throw new IOException("end of stream");
            }
        } while (incoming.hasRemaining());
    }

    @Override
    public long messageSize() {
        return outgoing.capacity();
    }

    @Override
    public void close() throws IOException {
        in.close();
        out.close();
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }
}

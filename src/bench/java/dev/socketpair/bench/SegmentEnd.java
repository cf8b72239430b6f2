package dev.socketpair.bench;

import dev.socketpair.UnixSocketChannel;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** An end of ours moving native MemorySegments. */
final class SegmentEnd implements End {

    private final UnixSocketChannel channel;
    private final MemorySegment outgoing;
    private final MemorySegment incoming;
    private final MemorySegment incomingMessage;

    SegmentEnd(UnixSocketChannel channel, long messageSize, long readSize, Arena arena) {
        this.channel = channel;
        this.outgoing = AlignedBuffers.segment(arena, messageSize).fill((byte) 7);
        this.incoming = AlignedBuffers.segment(arena, readSize);
        this.incomingMessage = incoming.asSlice(0, Math.min(messageSize, readSize));
    }

    @Override
    public void writeMessage() throws IOException {
        channel.write(outgoing);
    }

    @Override
    public long readOnce() throws IOException {
        return channel.read(incoming);
    }

    @Override
    public void readMessage() throws IOException {
        long got = 0;
        while (got < outgoing.byteSize()) {
            long n = channel.read(got == 0 ? incomingMessage : incomingMessage.asSlice(got));
            if (n < 0) {
                throw new IOException("end of stream");
            }
            got += n;
        }
    }

    @Override
    public long messageSize() {
        return outgoing.byteSize();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

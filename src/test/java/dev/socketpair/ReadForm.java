package dev.socketpair;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** The ways to read a channel; each reports what {@link UnixSocketChannel#read(ByteBuffer)} would. */
enum ReadForm {
    BUFFER, SCATTERING, SEGMENT, RECEIVE, INPUT_STREAM;

    /**
     * Reads once into room for {@code capacity} bytes.
     *
     * @return the count read, 0 if nothing was ready (non-blocking), or -1 at end of stream
     */
    long read(UnixSocketChannel channel, int capacity) throws IOException {
        return switch (this) {
            case BUFFER -> channel.read(ByteBuffer.allocate(capacity));
            case SCATTERING -> channel.read(new ByteBuffer[] {ByteBuffer.allocate(1), ByteBuffer.allocateDirect(capacity - 1)});
            case SEGMENT -> channel.read(MemorySegment.ofArray(new byte[capacity]));
            case RECEIVE -> {
                try (ReceivedMessage message = channel.receive(ByteBuffer.allocate(capacity), 1)) {
                    yield message == null ? 0 : message.length();
                }
            }
            // Not closed: closing the stream would close the channel.
            case INPUT_STREAM -> channel.newInputStream().read(new byte[capacity]);
        };
    }
}

package dev.socketpair.bench;

import java.io.Closeable;
import java.io.IOException;

/**
 * One end of a connection under test, with the memory it moves allocated once: what a benchmark
 * operation calls, whatever library is behind it.
 */
interface End extends Closeable {

    /** Writes the whole outgoing message (one call per message on a message socket). */
    void writeMessage() throws IOException;

    /** Reads once into the whole incoming buffer: the bytes read, or -1 at end of stream. */
    long readOnce() throws IOException;

    /** Reads exactly one message's worth of bytes (one message on a message socket). */
    void readMessage() throws IOException;

    /** The size of one message. */
    long messageSize();
}

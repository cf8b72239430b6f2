package dev.socketpair;

import java.nio.ByteBuffer;

/**
 * Run in a JVM of its own that logs each class it loads: opens the process's first pair, sends one byte
 * across it and reads it back, and prints a line once it has; then closes the pair, and prints another.
 */
public final class FirstTransferProbe {

    /** Printed once the byte has been read back, before anything is closed. */
    static final String TRANSFERRED = "first byte read back";
    /** Printed once the pair is closed. */
    static final String CLOSED = "first pair closed";

    private FirstTransferProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(new byte[] {42}));
            ByteBuffer in = ByteBuffer.allocate(1);
            if (pair.second().read(in) != 1 || in.get(0) != 42) {
                throw new AssertionError("the byte did not arrive");
            }
            System.out.println(TRANSFERRED);
        }
        System.out.println(CLOSED);
    }
}

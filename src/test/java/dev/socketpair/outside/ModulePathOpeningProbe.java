package dev.socketpair.outside;

import dev.socketpair.SocketPair;

import java.io.FileDescriptor;
import java.nio.ByteBuffer;

/**
 * Run with the library on the module path, from a package the module does not hold (so that the class
 * path still reaches this class), in a JVM that does not open {@code java.base/java.io}: prints the
 * library's module and what sending a {@link FileDescriptor} throws.
 */
public final class ModulePathOpeningProbe {

    public static void main(String[] args) throws Exception {
        System.out.println("module: " + SocketPair.class.getModule().getName());
        try (SocketPair pair = SocketPair.open()) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), FileDescriptor.in);
            System.out.println("sent");
        } catch (UnsupportedOperationException e) {
            System.out.println("send: " + e.getMessage());
        }
    }
}

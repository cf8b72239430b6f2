package dev.socketpair;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A connected pair of the JDK's own UNIX-domain SocketChannels, to compare the library's channels with:
 * a client connected to a server bound to a path in a directory of its own, and the accepted end. Closing
 * it closes the three channels and removes the path and the directory.
 */
record JdkUnixPair(SocketChannel client, SocketChannel accepted, Path directory) implements AutoCloseable {

    static JdkUnixPair open() throws IOException {
        Path directory = Files.createTempDirectory("jdk-unix-pair");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("socket"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            SocketChannel client = SocketChannel.open(address);
            try {
                return new JdkUnixPair(client, server.accept(), directory);
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
        } finally {
            Files.deleteIfExists(address.getPath());
        }
    }

    @Override
    public void close() throws IOException {
        try (client; accepted) {
            Files.deleteIfExists(directory);
        }
    }
}

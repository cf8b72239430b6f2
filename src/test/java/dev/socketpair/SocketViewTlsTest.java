package dev.socketpair;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS layered on the {@link java.net.Socket} views of both ends by {@link SSLSocketFactory}, as code that
 * secures an existing socket does: a handshake, bytes both ways, and a close that closes the channel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketViewTlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path directory;

    private static SSLContext context;

    /** A self-signed key for "localhost", made by the running JDK's keytool, trusted by both sides. */
    @BeforeAll
    static void makeKey() throws Exception {
        Path keyStore = directory.resolve("key.p12");
        String keytool = Emulation.jdkCommand("keytool");
        Process process = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "localhost",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(keys);
        context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void tlsLayeredOnTheSocketViewsHandshakesAndCarriesBytesBothWays(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            SSLSocketFactory factory = context.getSocketFactory();
            CompletableFuture<String> server = Concurrently.start(virtual, () -> {
                try (SSLSocket tls = (SSLSocket) factory.createSocket(pair.second().socket(), "localhost", 0, true)) {
                    tls.setUseClientMode(false);
                    byte[] request = tls.getInputStream().readNBytes(4);
                    tls.getOutputStream().write(("pong:" + new String(request, StandardCharsets.US_ASCII))
                            .getBytes(StandardCharsets.US_ASCII));
                    tls.getOutputStream().flush();
                    return tls.getSession().getProtocol();
                }
            });
            CompletableFuture<String> client = Concurrently.start(virtual, () -> {
                try (SSLSocket tls = (SSLSocket) factory.createSocket(pair.first().socket(), "localhost", 0, true)) {
                    tls.startHandshake();
                    tls.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                    tls.getOutputStream().flush();
                    String reply = new String(tls.getInputStream().readNBytes(9), StandardCharsets.US_ASCII);
                    return reply + " " + tls.getSession().getPeerPrincipal().getName();
                }
            });

            assertThat(Concurrently.await(client)).isEqualTo("pong:ping CN=localhost");
            assertThat(Concurrently.await(server)).startsWith("TLS");
            assertThat(pair.first().isOpen()).as("closing the TLS socket closes the channel").isFalse();
            assertThat(pair.second().isOpen()).isFalse();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aTlsReadPastTheSoTimeoutThrowsAndTheConnectionStaysUsable(boolean virtual) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            SSLSocketFactory factory = context.getSocketFactory();
            CompletableFuture<Void> timedOut = new CompletableFuture<>();
            CompletableFuture<Integer> server = Concurrently.start(virtual, () -> {
                try (SSLSocket tls = (SSLSocket) factory.createSocket(pair.second().socket(), "localhost", 0, true)) {
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    timedOut.get(30, TimeUnit.SECONDS);
                    tls.getOutputStream().write(5);
                    tls.getOutputStream().flush();
                    return tls.getInputStream().read();
                }
            });
            CompletableFuture<Integer> client = Concurrently.start(virtual, () -> {
                try (SSLSocket tls = (SSLSocket) factory.createSocket(pair.first().socket(), "localhost", 0, true)) {
                    tls.startHandshake();
                    tls.setSoTimeout(50);
                    try {
                        tls.getInputStream().read();
                        throw new AssertionError("read without a timeout");
                    } catch (java.net.SocketTimeoutException expected) {
                        timedOut.complete(null);
                    }
                    tls.setSoTimeout(0);
                    int got = tls.getInputStream().read();
                    tls.getOutputStream().write(got + 1);
                    tls.getOutputStream().flush();
                    return got;
                }
            });

            assertThat(Concurrently.await(client)).isEqualTo(5);
            assertThat(Concurrently.await(server)).isEqualTo(6);
        }
    }
}

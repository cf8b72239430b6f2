package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The local and remote addresses of adopted sockets bound to names the kernel accepts and
 * socketpair(2) never makes: a path that fills all of {@code sun_path}, paths of any bytes, and Linux
 * abstract names. Each is either a {@link UnixDomainSocketAddress} whose path names the socket's file,
 * or a {@link SocketException} that says why none can be and shows the name's bytes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdoptedSocketAddressTest {

    private static final CLibrary C = Platform.current().library();

    @TempDir
    Path directory;

    /** The two ends of a pair made outside the library, the first bound to {@code name}, adopted. */
    private record Ends(UnixSocketChannel bound, UnixSocketChannel peer) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (peer) {
                bound.close();
            }
        }
    }

    private static Ends bound(byte[] name) throws Throwable {
        int[] fds = RawFd.socketpair(C.constant("AF_UNIX"), C.constant("SOCK_STREAM") | C.constant("SOCK_CLOEXEC"));
        try {
            SocketBinding.bind(fds[0], name);
        } catch (Throwable t) {
            RawFd.close(fds);
            throw t;
        }
        return new Ends(UnixSocketChannel.adopt(fds[0]), UnixSocketChannel.adopt(fds[1]));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {60, 107, 108})
    void aPathUpToAllOfSunPathIsReportedWhole(int length) throws Throwable {
        String prefix = directory + "/";
        assumeTrue(prefix.length() < 60, "a temporary directory with a short path");
        Path path = Path.of(prefix + "s".repeat(length - prefix.length()));
        assertThat(path.toString().getBytes(StandardCharsets.UTF_8)).hasSize(length);
        try (Ends ends = bound(path.toString().getBytes(StandardCharsets.UTF_8))) {
            assertThat(ends.bound().getLocalAddress()).isEqualTo(UnixDomainSocketAddress.of(path));
            assertThat(ends.peer().getRemoteAddress()).isEqualTo(UnixDomainSocketAddress.of(path));
            assertThat(ends.peer().getLocalAddress()).isEqualTo(UnixDomainSocketAddress.of(""));
            assertThat(isSocketFile(path)).as("%s is the socket's file", path).isTrue();
        }
    }

    @Test
    void aPathOfNonAsciiUtf8NamesTheSocketsFile() throws Throwable {
        assumeFileNamesInUtf8();
        Path path = directory.resolve("socket-\u00e9-\u65e5\u672c");
        try (Ends ends = bound(path.toString().getBytes(StandardCharsets.UTF_8))) {
            UnixDomainSocketAddress address = (UnixDomainSocketAddress) ends.bound().getLocalAddress();
            assertThat(address.getPath()).isEqualTo(path);
            assertThat(isSocketFile(address.getPath())).isTrue();
            assertThat(ends.peer().getRemoteAddress()).isEqualTo(address);
        }
    }

    @Test
    void aPathThatIsNotValidUtf8IsASocketExceptionShowingItsBytes() throws Throwable {
        assumeFileNamesInUtf8();
        ByteArrayOutputStream name = new ByteArrayOutputStream();
        name.writeBytes((directory + "/socket-").getBytes(StandardCharsets.UTF_8));
        name.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, '\\'});
        try (Ends ends = bound(name.toByteArray())) {
            String shown = directory + "/socket-\\xff\\xfe\\\\";
            assertNoAddress(ends, "the socket's path \"" + shown
                    + "\" is not a file name in UTF-8, the charset of file names");
        }
    }

    @Test
    void anAbstractNameIsASocketExceptionShowingItsBytes() throws Throwable {
        String name = "socketpair-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (Ends ends = bound(("\0" + name).getBytes(StandardCharsets.US_ASCII))) {
            assertNoAddress(ends, "the socket's name is the abstract name \"\\x00" + name
                    + "\", which a UnixDomainSocketAddress (a file system path) cannot hold");
            assertThat(ends.peer().getLocalAddress()).isEqualTo(UnixDomainSocketAddress.of(""));
        }
    }

    @Test
    void anAbstractNameThatFillsSunPathWithNulsIsASocketExceptionShowingEveryByte() throws Throwable {
        String name = "p" + System.nanoTime();
        byte[] padded = new byte[SocketBinding.SUN_PATH_SIZE];
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(ascii, 0, padded, 1, ascii.length);
        try (Ends ends = bound(padded)) {
            String shown = "\\x00" + name + "\\x00".repeat(padded.length - 1 - ascii.length);
            assertNoAddress(ends, "the socket's name is the abstract name \"" + shown
                    + "\", which a UnixDomainSocketAddress (a file system path) cannot hold");
        }
    }

    /**
     * Neither end has an address for the bound name: each throws the same SocketException, {@code why},
     * after the name of its own call.
     */
    private static void assertNoAddress(Ends ends, String why) {
        assertThatThrownBy(() -> ends.bound().getLocalAddress())
                .isInstanceOf(SocketException.class)
                .hasMessage("getsockname: " + why);
        assertThatThrownBy(() -> ends.peer().getRemoteAddress())
                .isInstanceOf(SocketException.class)
                .hasMessage("getpeername: " + why);
    }

    /** A socket's file is neither a regular file, a directory, nor a link. */
    private static boolean isSocketFile(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
    }

    private static void assumeFileNamesInUtf8() {
        assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
                "file names are encoded in UTF-8 (sun.jnu.encoding)");
    }
}

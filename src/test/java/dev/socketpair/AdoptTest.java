package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** UnixSocketChannel.adopt: taking ownership of a descriptor made elsewhere. */
class AdoptTest {

    private static final CLibrary C = Platform.current().library();

    /** Makes a raw pair with the internal layer, as another library or a parent process would. */
    private static int[] rawPair(int type) {
        return RawFd.socketpair(C.constant("AF_UNIX"), type | C.constant("SOCK_CLOEXEC"));
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void adoptReadsTheTypeAndOwnsTheDescriptor(SocketType type) throws Exception {
        int[] fds = rawPair(type.value());
        try (UnixSocketChannel a = UnixSocketChannel.adopt(fds[0]); UnixSocketChannel b = UnixSocketChannel.adopt(fds[1])) {
            assertThat(a.type()).isEqualTo(type);
            assertThat(a.fd()).isEqualTo(fds[0]);
            assertThat(a.isBlocking()).isTrue();
            a.write(ByteBuffer.wrap(Bytes.ascii("adopted")));
            ByteBuffer dst = ByteBuffer.allocate(16);
            assertThat(b.read(dst)).isEqualTo(7);
            assertThat(Bytes.ascii(dst.flip())).isEqualTo("adopted");
        }
        assertThat(ProcFd.target(fds[0])).isNull();
        assertThat(ProcFd.target(fds[1])).isNull();
    }

    @Test
    void adoptTakesTheBlockingModeFromTheDescriptor() throws Exception {
        int[] fds = rawPair(C.constant("SOCK_STREAM") | C.constant("SOCK_NONBLOCK"));
        try (UnixSocketChannel a = UnixSocketChannel.adopt(fds[0]); UnixSocketChannel b = UnixSocketChannel.adopt(fds[1])) {
            assertThat(a.isBlocking()).isFalse();
            assertThat(a.read(ByteBuffer.allocate(1))).isZero();
        }
    }

    @Test
    void adoptingSomethingThatIsNotASocketFailsWithEnotsockAndLeavesItOpen() throws Exception {
        Path file = Files.createTempFile("adopt", ".txt");
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            int fd = ProcFd.find(file);
            ErrnoException e = catchThrowableOfType(ErrnoException.class, () -> UnixSocketChannel.adopt(fd));
            assertThat(e.errnoName()).isEqualTo("ENOTSOCK");
            assertThat(e.syscall()).isEqualTo("getsockopt");
            assertThat(ProcFd.target(fd)).isEqualTo(file.toString());
            assertThat(in.read()).as("still readable").isEqualTo(-1);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void adoptingADescriptorThatIsNotOpenFailsWithEbadf() {
        ErrnoException e = catchThrowableOfType(ErrnoException.class, () -> UnixSocketChannel.adopt(999_999));
        assertThat(e.errnoName()).isEqualTo("EBADF");
    }

    @Test
    void adoptingANegativeNumberIsRejected() {
        assertThatThrownBy(() -> UnixSocketChannel.adopt(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}

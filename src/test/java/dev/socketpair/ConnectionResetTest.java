package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A peer that closes with data unread resets the connection: the first read throws ECONNRESET, and so
 * does every later one, never end of stream, as the JDK's SocketChannel does.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionResetTest {

    static Stream<Arguments> firstReads() {
        return Stream.of(SocketType.STREAM, SocketType.SEQPACKET)
                .flatMap(type -> Stream.of(ReadForm.values()).map(form -> Arguments.of(type, form)));
    }

    @ParameterizedTest(name = "{0}, first read {1}")
    @MethodSource("firstReads")
    void everyReadAfterAResetThrowsConnectionResetAndNeverReturnsMinusOne(SocketType type, ReadForm first)
            throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = peerCloses(pair, true);

            assertReset(catchThrowable(() -> first.read(a, 16)), first);
            for (int round = 0; round < 2; round++) {
                for (ReadForm later : ReadForm.values()) {
                    assertReset(catchThrowable(() -> later.read(a, 16)), later);
                }
            }
            assertReset(catchThrowable(() -> a.read(ByteBuffer.allocate(0))), ReadForm.BUFFER);
            a.configureBlocking(false);
            assertReset(catchThrowable(() -> a.read(ByteBuffer.allocate(16))), ReadForm.BUFFER);
            assertThat(a.isOpen()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"STREAM", "SEQPACKET"})
    void aWriteAfterAResetThrowsBrokenPipe(SocketType type) throws Exception {
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = peerCloses(pair, true);
            assertReset(catchThrowable(() -> a.read(ByteBuffer.allocate(16))), ReadForm.BUFFER);

            ErrnoException e = catchThrowableOfType(ErrnoException.class, () -> a.write(ByteBuffer.wrap(new byte[] {4})));
            assertThat(e.errnoName()).isEqualTo("EPIPE");
            assertThat(e.getMessage()).isEqualTo("Broken pipe");
            assertReset(catchThrowable(() -> a.read(ByteBuffer.allocate(16))), ReadForm.BUFFER);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"STREAM", "SEQPACKET"})
    void aPeerThatClosesHavingReadEverythingGivesEndOfStreamNotAReset(SocketType type) throws Exception {
        // The control: the same close without unread data is a clean end, every time.
        try (SocketPair pair = SocketPair.open(type)) {
            UnixSocketChannel a = peerCloses(pair, false);
            for (ReadForm form : ReadForm.values()) {
                assertThat(form.read(a, 16)).as(form.name()).isEqualTo(-1);
            }
        }
    }

    /** Writes from the first end to the second, which closes with that unread (or read); returns the first. */
    private static UnixSocketChannel peerCloses(SocketPair pair, boolean unread) throws IOException {
        pair.first().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        if (!unread) {
            assertThat(pair.second().read(ByteBuffer.allocate(16))).isEqualTo(3);
        }
        pair.second().close();
        return pair.first();
    }

    private static void assertReset(Throwable thrown, ReadForm form) {
        assertThat(thrown).as(form.name()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        ErrnoException e = (ErrnoException) thrown;
        assertThat(e.errnoName()).isEqualTo("ECONNRESET");
        boolean withMessageHeader = form == ReadForm.SCATTERING || form == ReadForm.RECEIVE;
        assertThat(e.syscall()).isEqualTo(withMessageHeader ? "recvmsg" : "recv");
    }
}

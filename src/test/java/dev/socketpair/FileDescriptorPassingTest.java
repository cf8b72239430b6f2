package dev.socketpair;

import dev.socketpair.internal.FileDescriptorNumbers;
import dev.socketpair.outside.ModulePathOpeningProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link java.io.FileDescriptor}s in and out of descriptor passing: the sender's stay its own and
 * nothing extra stays open; a received one works in the JDK's streams, and closing the stream closes it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FileDescriptorPassingTest {

    private static final byte[] FILE_BYTES = Bytes.random(new java.util.Random(11), 300);

    @TempDir
    Path directory;

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void aPipesWriteEndSentAsAFileDescriptorIsWrittenThroughAReceivedFileOutputStream(SocketType type)
            throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        // A FileDescriptor the JDK made itself, for the pipe's write end under a number of its own.
        try (SocketPair pair = SocketPair.open(type);
             FileOutputStream sender = new FileOutputStream("/proc/self/fd/" + pipe[1])) {
            int senderFd = ProcFd.find(Path.of(ProcFd.target(pipe[1])));
            Map<Integer, String> beforeSend = RawFd.open();

            assertThat(pair.first().sendDescriptors(ByteBuffer.wrap(Bytes.ascii("w")), sender.getFD())).isOne();

            // The duplicate that went is closed again; the sender's FileDescriptor is untouched.
            assertThat(RawFd.open()).isEqualTo(beforeSend);
            assertThat(ProcFd.target(senderFd)).isEqualTo(ProcFd.target(pipe[1]));
            assertThat(sender.getFD().valid()).isTrue();
            ByteBuffer data = ByteBuffer.allocate(4);
            int receivedFd;
            FileDescriptor received;
            try (ReceivedMessage message = pair.second().receive(data, 1)) {
                assertThat(message.descriptorCount()).isOne();
                receivedFd = message.descriptor(0);
                received = message.takeFileDescriptor(0);
                assertThatThrownBy(() -> message.descriptor(0)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("descriptor 0 was given away or closed");
            }
            assertThat(Bytes.ascii(data.flip())).isEqualTo("w");
            assertThat(receivedFd).isNotIn(pipe[1], senderFd);
            // Taken: the message's close left it open, on the pipe.
            assertThat(ProcFd.target(receivedFd)).isEqualTo(ProcFd.target(pipe[1]));
            assertThat(received.valid()).isTrue();

            try (FileOutputStream out = new FileOutputStream(received)) {
                out.write(Bytes.ascii("through the pipe"));
            }
            assertThat(RawFd.read(pipe[0], 64)).isEqualTo(Bytes.ascii("through the pipe"));
            // Closing the stream closed the received number, and the FileDescriptor says so.
            assertThat(ProcFd.target(receivedFd)).isNull();
            assertThat(received.valid()).isFalse();
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void aFileInputStreamsDescriptorArrivesAndAFileInputStreamReadsTheFileOnFromTheSharedOffset()
            throws Exception {
        Map<Integer, String> before = RawFd.open();
        Path file = Files.write(directory.resolve("data"), FILE_BYTES);
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET);
             FileInputStream input = new FileInputStream(file.toFile())) {
            assertThat(input.readNBytes(5)).isEqualTo(Arrays.copyOf(FILE_BYTES, 5));

            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), input.getFD());

            int receivedFd;
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 1)) {
                receivedFd = message.descriptor(0);
                assertThat(ProcFd.target(receivedFd)).isEqualTo(file.toString());
                // One new descriptor in this process: the received one; the sent duplicate is closed.
                Map<Integer, String> now = RawFd.open();
                now.keySet().removeAll(before.keySet());
                assertThat(now).containsOnlyKeys(pair.first().fd(), pair.second().fd(), ProcFd.find(file), receivedFd);
                try (FileInputStream in = new FileInputStream(message.takeFileDescriptor(0))) {
                    assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(FILE_BYTES, 5, FILE_BYTES.length));
                }
            }
            assertThat(ProcFd.target(receivedFd)).isNull();
            // The sender's stream is still open, at the end of the file the two shared.
            assertThat(input.getFD().valid()).isTrue();
            assertThat(input.read()).isEqualTo(-1);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void severalFileDescriptorsGoInOneMessageInOrder() throws Exception {
        Path first = Files.write(directory.resolve("first"), Bytes.ascii("one"));
        Path second = Files.write(directory.resolve("second"), Bytes.ascii("two"));
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM);
             FileInputStream a = new FileInputStream(first.toFile());
             RandomAccessFile b = new RandomAccessFile(second.toFile(), "r")) {
            // One byte with them: qemu-user delivers no datagram from a sendmsg(2) without data.
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), a.getFD(), b.getFD(), a.getFD());
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 3)) {
                assertThat(message.descriptorCount()).isEqualTo(3);
                assertThat(ProcFd.target(message.descriptor(0))).isEqualTo(first.toString());
                assertThat(ProcFd.target(message.descriptor(1))).isEqualTo(second.toString());
                assertThat(ProcFd.target(message.descriptor(2))).isEqualTo(first.toString());
                try (FileInputStream in = new FileInputStream(message.takeFileDescriptor(1))) {
                    assertThat(in.readAllBytes()).isEqualTo(Bytes.ascii("two"));
                }
            }
        }
    }

    // As AncillaryDataErrorsTest's test of a channel being sent: the timeout runs the test in a thread
    // of its own, and the resources close in the order that releases a stuck send.
    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aStreamClosedWhileItsFileDescriptorIsBeingSentClosesAtOnceAndItsFileStillGoes(boolean virtual)
            throws Exception {
        Path file = Files.write(directory.resolve("data"), FILE_BYTES);
        try (SocketPair pair = SocketPair.open()) {
            FileInputStream input = new FileInputStream(file.toFile());
            long filled = AncillaryDataErrorsTest.fill(pair.first());
            var sending = Concurrently.startBlocked(virtual,
                    () -> pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), input.getFD()));
            // Closing the stream must not wait for the send, which waits for room; the number it frees
            // may be reused at once, and must not be what goes.
            AncillaryDataErrorsTest.closeWhileTheSendWaitsThenDrain(input, sending, pair.second(), filled);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 1);
                 FileInputStream received = new FileInputStream(message.takeFileDescriptor(0))) {
                assertThat(received.readAllBytes()).isEqualTo(FILE_BYTES);
            }
        }
    }

    @Test
    void aFileDescriptorHoldingNoDescriptorIsRefusedAndNothingIsSent() throws Exception {
        Path file = Files.write(directory.resolve("data"), FILE_BYTES);
        FileInputStream closed = new FileInputStream(file.toFile());
        FileDescriptor closedFd = closed.getFD();
        closed.close();
        try (SocketPair pair = SocketPair.open();
             FileInputStream open = new FileInputStream(file.toFile())) {
            ByteBuffer src = ByteBuffer.wrap(new byte[] {1});
            assertThatThrownBy(() -> pair.first().sendDescriptors(src, open.getFD(), new FileDescriptor()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("fds[1] is not valid: it holds no descriptor (never opened, or its stream was closed)");
            assertThatThrownBy(() -> pair.first().sendDescriptors(src, closedFd))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("fds[0] is not valid: it holds no descriptor (never opened, or its stream was closed)");
            assertThatThrownBy(() -> pair.first().sendDescriptors(src, open.getFD(), null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("fds[1]");
            assertThatThrownBy(() -> pair.first().sendDescriptors(ByteBuffer.allocate(0), open.getFD()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a STREAM message with ancillary data needs at least one byte");
            assertThat(src.position()).isZero();
            pair.second().configureBlocking(false);
            assertThat(pair.second().receive(ByteBuffer.allocate(4), 2)).isNull();
        }
    }

    @Test
    void aNumberClosedBehindItsFileDescriptorsBackFailsWithEbadfFromTheDuplicate() throws Exception {
        int[] pipe = RawFd.pipe(true);
        // Far above the numbers in use, so that nothing opened meanwhile reuses it.
        int high = RawFd.duplicate(pipe[0], ProcFd.list().keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 64);
        RawFd.close(pipe);
        // A FileDescriptor no stream closes, so that nothing closes its number a second time.
        FileDescriptor stale = FileDescriptorNumbers.fileDescriptor(high);
        RawFd.close(high);
        try (SocketPair pair = SocketPair.open()) {
            assertThatThrownBy(() -> pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), stale))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessageStartingWith("fcntl: EBADF");
            assertThat(pair.first().isOpen()).isTrue();
        }
    }

    @Test
    void aTakenFileDescriptorDroppedWithTheMessageStaysOpenForItsOwner() throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[0]);
            FileDescriptor taken;
            int number;
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 1)) {
                number = message.descriptor(0);
                taken = message.takeFileDescriptor(0);
                assertThatThrownBy(() -> message.takeFileDescriptor(0)).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> message.takeFileDescriptor(1)).isInstanceOf(IndexOutOfBoundsException.class);
            }
            assertThat(ProcFd.target(number)).isEqualTo(ProcFd.target(pipe[0]));
            RawFd.write(pipe[1], (byte) 7);
            try (FileInputStream in = new FileInputStream(taken)) {
                assertThat(in.read()).isEqualTo(7);
            }
            assertThat(ProcFd.target(number)).isNull();
        } finally {
            RawFd.close(pipe);
        }
    }

    @Test
    void withoutJavaIoOpenedBothWaysRefuseNamingTheOptionAndLeaveTheDescriptorHeld() throws Exception {
        String output = ProbeJvm.run(FileDescriptorOpeningProbe.class, List.of(), List.of(), 60);
        String refusal = "UnsupportedOperationException: the descriptor number of a java.io.FileDescriptor is "
                + "private to java.base: add --add-opens java.base/java.io=ALL-UNNAMED to the java command line";
        assertThat(output.lines().filter(line -> !line.startsWith("WARNING"))).containsExactly(
                "send: " + refusal,
                "send not valid: IllegalArgumentException: fds[0] is not valid: it holds no descriptor "
                        + "(never opened, or its stream was closed)",
                "nothing sent: true",
                "take: " + refusal,
                "still held: pipe",
                "descriptors left: []");
    }

    @Test
    void onTheModulePathTheRefusalNamesTheModule() throws Exception {
        String classes = Path.of(SocketPair.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String output = ProbeJvm.run(ModulePathOpeningProbe.class, List.of("--module-path", classes,
                "--add-modules", "dev.socketpair", "--enable-native-access=dev.socketpair"), List.of(), 60);
        assertThat(output.lines().filter(line -> !line.startsWith("WARNING"))).containsExactly(
                "module: dev.socketpair",
                "send: the descriptor number of a java.io.FileDescriptor is private to java.base: add "
                        + "--add-opens java.base/java.io=dev.socketpair to the java command line");
    }
}

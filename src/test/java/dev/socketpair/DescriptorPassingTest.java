package dev.socketpair;

import dev.socketpair.internal.libc.TestBindings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Descriptors of every kind sent with SCM_RIGHTS arrive open, refer to the same open files, and work on
 * the receiving side; none is ever left open without an owner.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DescriptorPassingTest {

    private static final byte[] FILE_BYTES = new byte[512];

    static {
        for (int i = 0; i < FILE_BYTES.length; i++) {
            FILE_BYTES[i] = (byte) (i * 7 + 3);
        }
    }

    @TempDir
    Path directory;

    /** The four kinds of descriptor sent, and how each proves on the receiving side that it works. */
    private enum Kind { PIPE_READ_END, PIPE_WRITE_END, FILE, SOCKET }

    @ParameterizedTest(name = "{0} descriptors")
    @ValueSource(ints = {1, 2, 64, 253})
    void descriptorsOfEveryKindArriveAndWorkOnTheReceivingSide(int count) throws Exception {
        Map<Integer, String> before = RawFd.open();
        Path file = Files.write(directory.resolve("data"), FILE_BYTES);
        int[] pipe = RawFd.pipe(true);
        try (SocketPair carrier = SocketPair.open();
             SocketPair sent = SocketPair.open();
             FileInputStream input = new FileInputStream(file.toFile())) {
            // The sender has read 3 bytes already: the receiver's copies share the open file's offset.
            assertThat(input.readNBytes(3)).containsExactly(Arrays.copyOf(FILE_BYTES, 3));
            int fileFd = ProcFd.find(file);
            Kind[] kinds = new Kind[count];
            int[] fds = new int[count];
            for (int i = 0; i < count; i++) {
                kinds[i] = Kind.values()[i % Kind.values().length];
                fds[i] = switch (kinds[i]) {
                    case PIPE_READ_END -> pipe[0];
                    case PIPE_WRITE_END -> pipe[1];
                    case FILE -> fileFd;
                    case SOCKET -> sent.second().fd();
                };
            }

            assertThat(carrier.first().sendDescriptors(ByteBuffer.wrap(Bytes.ascii("fds")), fds)).isEqualTo(3);
            ByteBuffer data = ByteBuffer.allocate(16);
            try (ReceivedMessage message = carrier.second().receive(data, count)) {
                assertThat(message.length()).isEqualTo(3);
                assertThat(Bytes.ascii(data.flip())).isEqualTo("fds");
                assertThat(message.truncated()).isFalse();
                assertThat(message.controlTruncated()).isFalse();
                assertThat(message.descriptorCount()).isEqualTo(count);
                int[] received = new int[count];
                for (int i = 0; i < count; i++) {
                    received[i] = message.descriptor(i);
                }
                // New numbers in this process, each distinct, none of them one of the originals.
                assertThat(Arrays.stream(received).distinct().count()).isEqualTo(count);
                assertThat(received).doesNotContain(fds);
                proveEachWorks(kinds, received, pipe, sent);
            }
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    private static void proveEachWorks(Kind[] kinds, int[] received, int[] pipe, SocketPair sent) throws Exception {
        int fileOffset = 3;
        byte marker = 0;
        for (int i = 0; i < kinds.length; i++) {
            int fd = received[i];
            marker++;
            switch (kinds[i]) {
                case PIPE_READ_END -> {
                    RawFd.write(pipe[1], marker);
                    assertThat(RawFd.read(fd, 1)).as("byte read through received read end %d", i)
                            .containsExactly(marker);
                }
                case PIPE_WRITE_END -> {
                    RawFd.write(fd, marker);
                    assertThat(RawFd.read(pipe[0], 1)).as("byte written through received write end %d", i)
                            .containsExactly(marker);
                }
                case FILE -> {
                    assertThat(RawFd.read(fd, 1)).as("file byte read through received descriptor %d", i)
                            .containsExactly(FILE_BYTES[fileOffset]);
                    fileOffset++;
                }
                case SOCKET -> {
                    RawFd.write(fd, marker);
                    ByteBuffer one = ByteBuffer.allocate(1);
                    assertThat(sent.first().read(one)).isEqualTo(1);
                    assertThat(one.get(0)).as("byte sent through received socket %d", i).isEqualTo(marker);
                }
            }
        }
    }

    @Test
    void moreDescriptorsThanTheKernelTakesAreRefusedBeforeAnySystemCall() throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            int[] fds = new int[UnixSocketChannel.MAX_DESCRIPTORS + 1];
            Arrays.fill(fds, pipe[0]);
            // 253 is what the kernel takes in one message: ControlMessagesTest shows it refusing one more.
            assertThatThrownBy(() -> pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), fds))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("254 descriptors in one message; the limit is 253");
            pair.first().configureBlocking(false);
            // Nothing went: the peer has nothing to read.
            pair.second().configureBlocking(false);
            assertThat(pair.second().receive(ByteBuffer.allocate(4), 1)).isNull();
        } finally {
            RawFd.close(pipe);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"STREAM", "SEQPACKET"})
    void emptyDataWithDescriptorsIsRefusedOnConnectionTypes(SocketType type) throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(type)) {
            assertThatThrownBy(() -> pair.first().sendDescriptors(ByteBuffer.allocate(0), pipe[0]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs at least one byte");
        } finally {
            RawFd.close(pipe);
        }
    }

    @Test
    void anEmptyDatagramCarriesDescriptors() throws Exception {
        Emulation.assumeNative(Emulation.SENDMSG_WITHOUT_IOVEC);
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
            assertThat(pair.first().sendDescriptors(ByteBuffer.allocate(0), pipe[1])).isZero();
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(8), 1)) {
                assertThat(message.length()).isZero();
                assertThat(message.descriptorCount()).isOne();
                RawFd.write(message.descriptor(0), (byte) 42);
                assertThat(RawFd.read(pipe[0], 1)).containsExactly(42);
            }
        } finally {
            RawFd.close(pipe);
        }
    }

    @ParameterizedTest
    @EnumSource(SocketType.class)
    void aChannelSentAndClosedLocallyIsAdoptedByTheReceiverAndStillConnectedToItsPeer(SocketType type)
            throws Exception {
        try (SocketPair carrier = SocketPair.open(type); SocketPair handedOver = SocketPair.open()) {
            UnixSocketChannel second = handedOver.second();
            assertThat(carrier.first().sendAndClose(ByteBuffer.wrap(new byte[] {1}), second)).isEqualTo(1);
            assertThat(second.isOpen()).isFalse();
            try (ReceivedMessage message = carrier.second().receive(ByteBuffer.allocate(1), 1);
                 UnixSocketChannel adopted = message.adoptChannel(0)) {
                assertThat(adopted.type()).isEqualTo(SocketType.STREAM);
                assertThat(Kernel.closeOnExec(adopted)).isTrue();
                assertThatThrownBy(() -> message.descriptor(0)).isInstanceOf(IllegalStateException.class);
                adopted.write(ByteBuffer.wrap(Bytes.ascii("hello")));
                ByteBuffer b = ByteBuffer.allocate(8);
                handedOver.first().read(b);
                assertThat(Bytes.ascii(b.flip())).isEqualTo("hello");
            }
        }
    }

    @Test
    void channelsSentTogetherArriveInOrder() throws Exception {
        try (SocketPair carrier = SocketPair.open(SocketType.SEQPACKET);
             SocketPair a = SocketPair.open();
             SocketPair b = SocketPair.open(SocketType.DGRAM)) {
            carrier.first().sendChannels(ByteBuffer.wrap(new byte[] {9}), a.second(), b.second());
            assertThat(a.second().isOpen()).isTrue();
            try (ReceivedMessage message = carrier.second().receive(ByteBuffer.allocate(1), 2);
                 UnixSocketChannel first = message.adoptChannel(0);
                 UnixSocketChannel second = message.adoptChannel(1)) {
                assertThat(first.type()).isEqualTo(SocketType.STREAM);
                assertThat(second.type()).isEqualTo(SocketType.DGRAM);
            }
        }
    }

    @Test
    void aClosedChannelCannotBeSent() throws Exception {
        try (SocketPair carrier = SocketPair.open(); SocketPair other = SocketPair.open()) {
            other.second().close();
            assertThatThrownBy(() -> carrier.first().sendChannels(ByteBuffer.wrap(new byte[1]), other.second()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("channels[0] is closed");
        }
    }

    @Test
    void aNonSocketDescriptorCannotBeAdoptedAndStaysHeld() throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), pipe[0]);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 1)) {
                assertThatThrownBy(() -> message.adoptChannel(0))
                        .isInstanceOf(ErrnoException.class)
                        .satisfies(e -> assertThat(((ErrnoException) e).errnoName()).isEqualTo("ENOTSOCK"));
                int fd = message.descriptor(0);
                assertThat(ProcFd.target(fd)).startsWith("pipe:");
                int taken = message.takeDescriptor(0);
                assertThat(taken).isEqualTo(fd);
                message.close();
                // Taken: the message's close left it open, and it is the caller's to close.
                assertThat(ProcFd.target(taken)).startsWith("pipe:");
                RawFd.close(taken);
            }
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void receivedDescriptorsAreCloseOnExecEvenWhenTheSentOnesAreNot() throws Exception {
        int[] pipe = RawFd.pipe(false);
        try (SocketPair pair = SocketPair.open()) {
            assertThat(Kernel.closeOnExec(pipe[0])).isFalse();
            assertThat(Kernel.closeOnExec(pipe[1])).isFalse();
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), pipe[0], pipe[1]);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 2)) {
                assertThat(Kernel.closeOnExec(message.descriptor(0))).isTrue();
                assertThat(Kernel.closeOnExec(message.descriptor(1))).isTrue();
                assertThat(procFlags(message.descriptor(0)) & TestBindings.constant("O_CLOEXEC")).as("O_CLOEXEC in fdinfo flags")
                        .isNotZero();
            }
        } finally {
            RawFd.close(pipe);
        }
    }

    /** The octal {@code flags:} line of /proc/self/fdinfo, as the kernel reports it. */
    private static int procFlags(int fd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags in fdinfo of " + fd);
    }

    @Test
    void descriptorsBeyondTheCallersLimitAreClosedAndReportedAsControlTruncation() throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), pipe[0], pipe[1], pipe[0], pipe[1], pipe[0]);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 2)) {
                assertThat(message.descriptorCount()).isEqualTo(2);
                assertThat(message.controlTruncated()).isTrue();
                assertThat(message.truncated()).isFalse();
                // Only the two accepted are open beyond the pipe and the pair.
                Map<Integer, String> now = RawFd.open();
                now.keySet().removeAll(before.keySet());
                assertThat(now).hasSize(2 + 2 + 2);
            }
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void aControlBufferTooSmallForWhatTheKernelHasSetsControlTruncatedAndLeaksNothing() throws Exception {
        Emulation.assumeNative(Emulation.CONTROL_BUFFER_DOUBLED);
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(SocketType.DGRAM)) {
            int[] fds = new int[UnixSocketChannel.MAX_DESCRIPTORS];
            Arrays.fill(fds, pipe[1]);
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), fds);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 0)) {
                assertThat(message.length()).isOne();
                assertThat(message.descriptorCount()).isZero();
                assertThat(message.controlTruncated()).isTrue();
            }
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void anOrdinaryReadDiscardsDescriptorsWithoutInstallingThem() throws Exception {
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {5}), pipe[0], pipe[1]);
            ByteBuffer one = ByteBuffer.allocate(1);
            assertThat(pair.second().read(one)).isOne();
            Map<Integer, String> now = RawFd.open();
            now.keySet().removeAll(before.keySet());
            assertThat(now).hasSize(2 + 2);
        } finally {
            RawFd.close(pipe);
        }
        assertThat(RawFd.open()).isEqualTo(before);
    }

    @Test
    void aStreamReadEndsWithTheBytesThatCarriedDescriptors() throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("plain")));
            pair.first().sendDescriptors(ByteBuffer.wrap(Bytes.ascii("with")), pipe[0]);
            pair.first().sendDescriptors(ByteBuffer.wrap(Bytes.ascii("again")), pipe[0], pipe[1]);
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("after")));
            ByteBuffer buffer = ByteBuffer.allocate(64);
            try (ReceivedMessage first = pair.second().receive(buffer, 2)) {
                assertThat(first.length()).isEqualTo(9);
                assertThat(first.descriptorCount()).isOne();
            }
            try (ReceivedMessage second = pair.second().receive(buffer, 2)) {
                assertThat(second.length()).isEqualTo(5);
                assertThat(second.descriptorCount()).isEqualTo(2);
            }
            try (ReceivedMessage third = pair.second().receive(buffer, 2)) {
                assertThat(third.length()).isEqualTo(5);
                assertThat(third.descriptorCount()).isZero();
            }
            assertThat(Bytes.ascii(buffer.flip())).isEqualTo("plainwithagainafter");
        } finally {
            RawFd.close(pipe);
        }
    }

    @Test
    void receiveReportsEndOfStreamAndNonBlockingNothingReady() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            pair.second().configureBlocking(false);
            assertThat(pair.second().receive(ByteBuffer.allocate(4), 1)).isNull();
            pair.first().shutdownOutput();
            try (ReceivedMessage end = pair.second().receive(ByteBuffer.allocate(4), 1)) {
                assertThat(end.length()).isEqualTo(-1);
                assertThat(end.descriptorCount()).isZero();
            }
        }
    }

    @Test
    void heapAndDirectBuffersCarryTheSameBytes() throws Exception {
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open()) {
            byte[] bytes = Bytes.ascii("direct and heap");
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            pair.first().sendDescriptors(direct, pipe[0]);
            assertThat(direct.hasRemaining()).isFalse();
            ByteBuffer heap = ByteBuffer.allocate(64);
            try (ReceivedMessage message = pair.second().receive(heap, 1)) {
                assertThat(message.length()).isEqualTo(bytes.length);
                assertThat(Bytes.ascii(heap.flip())).isEqualTo("direct and heap");
            }
            pair.first().sendDescriptors(ByteBuffer.wrap(bytes), pipe[0]);
            ByteBuffer directIn = ByteBuffer.allocateDirect(64);
            try (ReceivedMessage message = pair.second().receive(directIn, 1)) {
                assertThat(message.descriptorCount()).isOne();
                assertThat(Bytes.ascii(directIn.flip())).isEqualTo("direct and heap");
            }
        } finally {
            RawFd.close(pipe);
        }
    }

    @Test
    void aStreamLargerThanTheSocketBufferArrivesWholeWithItsDescriptorsAtTheStart() throws Exception {
        int[] pipe = RawFd.pipe(true);
        byte[] bytes = Bytes.random(new java.util.Random(7), 1 << 20);
        try (SocketPair pair = SocketPair.open()) {
            var sending = Concurrently.start(false, () -> pair.first().sendDescriptors(ByteBuffer.wrap(bytes), pipe[1]));
            ByteBuffer all = ByteBuffer.allocate(bytes.length);
            List<Integer> descriptorsPerRead = new ArrayList<>();
            while (all.hasRemaining()) {
                try (ReceivedMessage m = pair.second().receive(all, 1)) {
                    descriptorsPerRead.add(m.descriptorCount());
                }
            }
            assertThat(Concurrently.await(sending)).isEqualTo(bytes.length);
            assertThat(all.array()).isEqualTo(bytes);
            assertThat(descriptorsPerRead.get(0)).isOne();
            assertThat(descriptorsPerRead.stream().mapToInt(Integer::intValue).sum()).isOne();
        } finally {
            RawFd.close(pipe);
        }
    }
}

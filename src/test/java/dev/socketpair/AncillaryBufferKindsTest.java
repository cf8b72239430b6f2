package dev.socketpair;

import dev.socketpair.internal.NativeScratch;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sends and receives with ancillary data take every kind of memory that write and read take (read-only
 * heap buffers included), small and around the size of the bounce buffer, and the bytes and the
 * ancillary data arrive: the descriptors, and the sender's credentials where the system sends them
 * (none arrive where it does not).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AncillaryBufferKindsTest {

    private static final int BOUNCE = (int) NativeScratch.MAX_BOUNCE;
    private static final int SEND_BUFFER = 4 * 1024 * 1024;
    private static final List<BufferMemory> WRITABLE =
            Stream.of(BufferMemory.values()).filter(BufferMemory::isWritable).toList();

    /** The four sends with ancillary data. */
    enum Send {
        DESCRIPTORS, CREDENTIALS, CHANNELS, AND_CLOSE;

        int send(UnixSocketChannel channel, ByteBuffer src, UnixSocketChannel passenger) throws Exception {
            return switch (this) {
                case DESCRIPTORS -> channel.sendDescriptors(src, passenger.fd());
                case CREDENTIALS -> channel.sendCredentials(src);
                case CHANNELS -> channel.sendChannels(src, passenger);
                case AND_CLOSE -> channel.sendAndClose(src, passenger);
            };
        }
    }

    static Stream<Arguments> sendsTypesAndSources() {
        List<Arguments> cases = new ArrayList<>();
        for (Send send : Send.values()) {
            for (SocketType type : SocketType.values()) {
                for (BufferMemory source : BufferMemory.values()) {
                    cases.add(Arguments.of(send, type, source));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> typesAndDestinations() {
        return Stream.of(SocketType.values()).flatMap(t -> WRITABLE.stream().map(d -> Arguments.of(t, d)));
    }

    @ParameterizedTest(name = "{0} on {1} from {2}")
    @MethodSource("sendsTypesAndSources")
    void aSendWithAncillaryDataTakesEverySourceAWriteTakes(Send send, SocketType type, BufferMemory source)
            throws Exception {
        // Skipped, not left out of the cases, so that every run reports the same cases and says why.
        if (send == Send.CREDENTIALS) {
            CredentialsSupport.assumeSent();
        }
        // Each source meets a different destination, so that every kind is received into too.
        BufferMemory destination = WRITABLE.get((send.ordinal() + source.ordinal()) % WRITABLE.size());
        transferAndCheck(type, source, destination, send);
    }

    @ParameterizedTest(name = "{0} into {1}")
    @MethodSource("typesAndDestinations")
    void aReceiveWithAncillaryDataFillsEveryDestinationAReadFills(SocketType type, BufferMemory destination)
            throws Exception {
        transferAndCheck(type, BufferMemory.DIRECT, destination, Send.DESCRIPTORS);
    }

    /** Sends bytes of every size from {@code source} with {@code send} and receives them into {@code destination}. */
    private static void transferAndCheck(SocketType type, BufferMemory source, BufferMemory destination, Send send)
            throws Exception {
        Random random = new Random(type.ordinal() * 7L + source.ordinal() * 3L + destination.ordinal());
        for (int size : new int[] {5, BOUNCE - 1, BOUNCE + 1}) {
            byte[] data = Bytes.random(random, size);
            try (SocketPair pair = SocketPair.open(type); SocketPair passengers = SocketPair.open();
                 Arena shared = Arena.ofShared()) {
                pair.first().setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
                // unix(7) refuses a message that does not fit the send buffer, whose size the kernel caps.
                if (type != SocketType.STREAM
                        && pair.first().getOption(StandardSocketOptions.SO_SNDBUF) < size + 4096) {
                    continue;
                }
                if (CredentialsSupport.sent()) {
                    pair.second().setOption(UnixSocketOptions.SO_PASSCRED, true);
                }
                ByteBuffer src = source.source(data, 0, size, shared);
                CompletableFuture<Arrived> arrived = Concurrently.start(false,
                        () -> receiveAll(pair.second(), destination.allocate(size, shared)));

                assertThat(send.send(pair.first(), src, passengers.second())).as("%d bytes sent", size).isEqualTo(size);

                assertThat(src.hasRemaining()).isFalse();
                Arrived got = Concurrently.await(arrived);
                assertThat(Arrays.mismatch(got.bytes(), data)).as("first wrong byte of %d", size).isEqualTo(-1);
                assertThat(got.descriptors()).as("descriptors with %d bytes", size)
                        .isEqualTo(send == Send.CREDENTIALS ? 0 : 1);
                assertThat(got.credentials()).as("credentials with %d bytes", size).isEqualTo(CredentialsSupport.sent());
            }
        }
    }

    /** What {@link #receiveAll} got: the bytes, how many descriptors came, whether credentials did. */
    private record Arrived(byte[] bytes, int descriptors, boolean credentials) {
    }

    /** Receives until {@code dst} is full (a stream) or one message came, closing what descriptors come. */
    private static Arrived receiveAll(UnixSocketChannel channel, ByteBuffer dst) throws Exception {
        int descriptors = 0;
        boolean credentials = false;
        do {
            try (ReceivedMessage message = channel.receive(dst, 1)) {
                assertThat(message.length()).isPositive();
                assertThat(message.truncated()).isFalse();
                descriptors += message.descriptorCount();
                credentials |= message.credentials().isPresent();
            }
        } while (channel.type() == SocketType.STREAM && dst.hasRemaining());
        byte[] bytes = new byte[dst.position()];
        dst.flip().get(bytes);
        return new Arrived(bytes, descriptors, credentials);
    }
}

package dev.socketpair;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run in a JVM that does not open {@code java.base/java.io}: prints what sending and taking a
 * {@link FileDescriptor} throw, whether the received descriptor stayed held, and which descriptors the
 * attempts left open.
 */
public final class FileDescriptorOpeningProbe {

    interface Attempt {
        Object run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        // First: the temporary name's random source stays open for the life of the JVM.
        Path file = Files.createTempFile("probe", ".data");
        Map<Integer, String> before = RawFd.open();
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open(); FileInputStream input = new FileInputStream(file.toFile())) {
            ByteBuffer src = ByteBuffer.wrap(new byte[] {1});
            System.out.println("send: " + outcome(() -> pair.first().sendDescriptors(src, input.getFD())));
            System.out.println("send not valid: "
                    + outcome(() -> pair.first().sendDescriptors(src, new FileDescriptor())));
            pair.second().configureBlocking(false);
            System.out.println("nothing sent: " + (pair.second().receive(ByteBuffer.allocate(1), 1) == null));
            pair.second().configureBlocking(true);

            pair.first().sendDescriptors(src.rewind(), pipe[0]);
            try (ReceivedMessage message = pair.second().receive(ByteBuffer.allocate(1), 1)) {
                System.out.println("take: " + outcome(() -> message.takeFileDescriptor(0)));
                String target = ProcFd.target(message.descriptor(0));
                System.out.println("still held: " + (target.startsWith("pipe:") ? "pipe" : target));
            }
        } finally {
            RawFd.close(pipe);
            Files.delete(file);
        }
        Map<Integer, String> after = RawFd.open();
        after.keySet().removeAll(before.keySet());
        System.out.println("descriptors left: " + after.keySet());
    }

    private static String outcome(Attempt attempt) {
        try {
            return "returned " + attempt.run();
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}

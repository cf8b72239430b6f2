package dev.socketpair;

import dev.socketpair.internal.SocketControl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link DescriptorLimitTest} in a child JVM whose descriptor limit is low: opens pairs until
 * socketpair fails, then shows that the pairs already open still work, that sending a channel (which
 * duplicates its descriptor) fails there too, and that closing one makes room.
 */
public final class DescriptorLimitProbe {

    private DescriptorLimitProbe() {
    }

    public static void main(String[] args) throws IOException {
        // Run from class directories, as tests are, loading a class opens a file: load the classes used
        // below now, while descriptors are left. From a jar or a jlink image no descriptor is needed.
        try (SocketPair warmUp = SocketPair.open(); SocketPair sent = SocketPair.open()) {
            exchange(warmUp);
            warmUp.first().sendChannels(ByteBuffer.wrap(new byte[] {1}), sent.first());
            warmUp.second().receive(ByteBuffer.allocate(1), 1).close();
            SocketControl.close(warmUp.first().duplicateDescriptor());
        }
        try {
            SocketPair.open(-1, 0, 0);
        } catch (ErrnoException expected) {
            System.out.println("warmed up with " + expected.errnoName());
        }
        List<SocketPair> pairs = new ArrayList<>();
        ErrnoException failure = null;
        while (failure == null && pairs.size() < 100_000) {
            try {
                pairs.add(SocketPair.open());
            } catch (ErrnoException e) {
                failure = e;
            }
        }
        System.out.println("opened " + pairs.size());
        System.out.println("failure " + (failure == null ? "none" : failure.getMessage()));
        if (failure != null) {
            System.out.println("failure syscall " + failure.syscall() + ", errno " + failure.errno() + " named "
                    + failure.errnoName());
        }

        System.out.println("first pair carries " + exchange(pairs.getFirst()));
        // socketpair needs two free numbers: one may be left. Take it, so that none is.
        List<Integer> singles = new ArrayList<>();
        for (int fd = SocketControl.duplicate(pairs.getFirst().first().fd()); fd >= 0;
             fd = SocketControl.duplicate(pairs.getFirst().first().fd())) {
            singles.add(fd);
        }
        try {
            pairs.getFirst().first().sendChannels(ByteBuffer.wrap(new byte[] {1}), pairs.get(1).first());
            System.out.println("sendChannels at the limit: sent");
        } catch (ErrnoException e) {
            System.out.println("sendChannels at the limit: " + e.getMessage());
        }
        try {
            int fd = pairs.getFirst().first().duplicateDescriptor();
            System.out.println("duplicateDescriptor at the limit: " + fd);
        } catch (ErrnoException e) {
            System.out.println("duplicateDescriptor at the limit: " + e.getMessage());
        }
        for (int fd : singles) {
            SocketControl.close(fd);
        }

        pairs.removeLast().close();
        try (SocketPair again = SocketPair.open()) {
            System.out.println("after closing one, open succeeds: " + again.first().isOpen());
        }
        for (SocketPair pair : pairs) {
            pair.close();
        }
    }

    private static byte exchange(SocketPair pair) throws IOException {
        pair.first().write(ByteBuffer.wrap(new byte[] {42}));
        ByteBuffer one = ByteBuffer.allocate(1);
        pair.second().read(one);
        return one.get(0);
    }
}

package dev.socketpair;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a JVM that reports another architecture ({@code -Dos.arch}): prints what each way into the
 * library throws, and which descriptors the attempts left open.
 */
public final class UnsupportedPlatformProbe {

    interface Entry {
        Object run() throws IOException;
    }

    public static void main(String[] args) throws Exception {
        java.util.Set<Integer> before = ProcFd.list().keySet();
        List<Entry> entries = List.of(
                SocketPair::open,
                () -> UnixSocketChannel.adopt(0),
                UnixSocketChannel::openSelector,
                () -> new ChildProcessBuilder("true").start());
        List<String> outcomes = new ArrayList<>();
        for (Entry entry : entries) {
            try {
                outcomes.add("opened " + entry.run());
            } catch (UnsupportedOperationException e) {
                outcomes.add("refused: " + e.getMessage());
            }
        }
        outcomes.forEach(System.out::println);
        System.out.println("AF_UNIX: " + SocketPair.AF_UNIX);
        java.util.Set<Integer> after = new java.util.TreeSet<>(ProcFd.list().keySet());
        after.removeAll(before);
        System.out.println("descriptors left: " + after);
    }
}

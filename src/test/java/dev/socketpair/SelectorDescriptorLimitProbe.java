package dev.socketpair;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link SelectorDescriptorLimitTest} in a child JVM whose descriptor limit is low: uses up
 * every descriptor, then opens selectors as descriptors are freed one at a time. A selector needs
 * three (the epoll set and a wake-up pair), so the attempts fail in epoll_create1, then in socketpair,
 * until three are free; on poll(2) two (the pair), in socketpair until two are free. An attempt that
 * failed part-way and kept a descriptor would shift every later outcome.
 */
public final class SelectorDescriptorLimitProbe {

    private SelectorDescriptorLimitProbe() {
    }

    public static void main(String[] args) throws IOException {
        // Run from class directories, as tests are, loading a class opens a file: load the classes used
        // below now, while descriptors are left.
        try (SocketPair warmUp = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK);
             Selector selector = UnixSocketChannel.openSelector()) {
            warmUp.first().register(selector, SelectionKey.OP_WRITE);
            System.out.println("warm-up selected " + selector.selectNow());
        }
        try {
            SocketPair.open(-1, 0, 0);
        } catch (ErrnoException expected) {
            System.out.println("warmed up with " + expected.errnoName());
        }
        new FileInputStream("/dev/null").close();

        List<SocketPair> pairs = new ArrayList<>();
        try {
            while (pairs.size() < 100_000) {
                pairs.add(SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK));
            }
        } catch (ErrnoException full) {
            // At most one descriptor left. Free four more, so that files take the last ones one by one.
            pairs.removeLast().close();
            pairs.removeLast().close();
        }
        System.out.println(pairs.size() + " pairs open");
        List<FileInputStream> files = AtDescriptorLimit.fill();

        Selector opened = null;
        for (int free = 0; free <= 4 && opened == null; free++) {
            try {
                opened = UnixSocketChannel.openSelector();
                System.out.println(free + " free: opened");
            } catch (ErrnoException e) {
                System.out.println(free + " free: " + e.getMessage());
                files.removeLast().close();
            }
        }
        if (opened != null) {
            SocketPair pair = pairs.getFirst();
            pair.first().register(opened, SelectionKey.OP_WRITE);
            System.out.println("selector at the limit selects " + opened.selectNow());
            opened.close();
        }
        AtDescriptorLimit.free(files);
        for (SocketPair pair : pairs) {
            pair.close();
        }
    }
}

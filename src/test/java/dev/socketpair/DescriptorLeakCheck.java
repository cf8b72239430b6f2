package dev.socketpair;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.socketpair.internal.Poller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Pipe;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test class that leaves sockets open: compares the process's socket descriptors in
 * /proc/self/fd before and after the class. The virtual-thread pollers' descriptors live as long as the
 * process, by design (epoll instances, or the poll(2) poller's wake-up socket pair): they are made
 * before the first snapshot. Registered for every test class through the service file and
 * {@code junit.jupiter.extensions.autodetection.enabled}.
 */
public final class DescriptorLeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DescriptorLeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        openJdkDispatcherSocket();
        assertThat(Poller.start()).as("the virtual-thread pollers start").isNull();
        context.getStore(NAMESPACE).put("before", ProcFd.sockets());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Map<Integer, String> before = context.getStore(NAMESPACE).get("before", Map.class);
        Map<Integer, String> after = ProcFd.sockets();
        after.keySet().removeAll(before.keySet());
        assertThat(after).as("descriptors left open by %s", context.getDisplayName()).isEmpty();
    }

    private static boolean jdkDispatcherSocketOpen;

    /**
     * The JDK's native dispatcher keeps one socket open for the life of the process (the descriptor it
     * duplicates over a channel's number to close it safely), from the first pipe or file channel the
     * process opens. Opened before the first snapshot, so that no test class is blamed for it.
     */
    private static synchronized void openJdkDispatcherSocket() {
        if (jdkDispatcherSocketOpen) {
            return;
        }
        try {
            Pipe pipe = Pipe.open();
            pipe.source().close();
            pipe.sink().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        jdkDispatcherSocketOpen = true;
    }
}

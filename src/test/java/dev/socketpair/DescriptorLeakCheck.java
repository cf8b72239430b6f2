package dev.socketpair;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test class that leaves sockets open: compares the process's socket descriptors in
 * /proc/self/fd before and after the class. (The two epoll descriptors of the virtual-thread poller live
 * as long as the process, by design, and are not sockets.) Registered for every test class through the
 * service file and {@code junit.jupiter.extensions.autodetection.enabled}.
 */
public final class DescriptorLeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DescriptorLeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        JdkChannels.READY.hashCode();
        context.getStore(NAMESPACE).put("before", sockets());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Map<Integer, String> before = context.getStore(NAMESPACE).get("before", Map.class);
        Map<Integer, String> after = sockets();
        after.keySet().removeAll(before.keySet());
        assertThat(after).as("descriptors left open by %s", context.getDisplayName()).isEmpty();
    }

    /**
     * The JDK's channels keep one socket open for the life of the process, made when the first of them
     * is (the descriptor they dup2 over one being closed): made here, before any snapshot, so that a test
     * class that uses a JDK channel is not taken for leaking it.
     */
    private static final class JdkChannels {
        static final Object READY = open();

        private static Object open() {
            try {
                java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
                pipe.source().close();
                pipe.sink().close();
                return pipe;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The open sockets of this process, by descriptor number. */
    static Map<Integer, String> sockets() {
        Map<Integer, String> open = new TreeMap<>();
        ProcFd.list().forEach((fd, target) -> {
            if (target.startsWith("socket:")) {
                open.put(fd, target);
            }
        });
        return open;
    }
}

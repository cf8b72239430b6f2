package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A closed selector: what it throws, what it lets go, and the descriptors it closes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelectorCloseTest {

    private static final String EPOLL = "anon_inode:[eventpoll]";

    private interface SelectorCall {
        Object call(Selector selector) throws Exception;
    }

    @Test
    void everySelectionOperationAndKeySetThrowsClosedSelectorExceptionAfterClose() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK)) {
            Selector selector = UnixSocketChannel.openSelector();
            SelectionKey key = pair.first().register(selector, OP_READ);
            selector.close();
            List<SelectorCall> calls = List.of(
                    Selector::select,
                    s -> s.select(10),
                    Selector::selectNow,
                    s -> s.select(k -> { }),
                    s -> s.select(k -> { }, 10),
                    s -> s.selectNow(k -> { }),
                    Selector::keys,
                    Selector::selectedKeys);
            for (int i = 0; i < calls.size(); i++) {
                SelectorCall call = calls.get(i);
                assertThatThrownBy(() -> call.call(selector)).as("call %d", i).isInstanceOf(ClosedSelectorException.class);
            }
            assertThat(key.isValid()).isFalse();
            assertThatThrownBy(() -> pair.second().register(selector, OP_READ)).isInstanceOf(ClosedSelectorException.class);
            assertThat(pair.second().isRegistered()).isFalse();
            assertThat(selector.wakeup()).isSameAs(selector);
            selector.close();
            assertThat(selector.isOpen()).isFalse();
            assertThat(pair.first().isOpen()).as("closing a selector leaves its channels open").isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void closeClosesTheEpollDescriptorAndTheWakeupSockets(Backend backend) throws Exception {
        // The virtual-thread poller's own descriptors live as long as the process: start them first.
        try (Selector warmUp = backend.openSelector()) {
            Concurrently.await(Concurrently.start(true, () -> warmUp.select(1)));
        }
        Map<Integer, String> before = ProcFd.list();
        List<Selector> selectors = new ArrayList<>();
        List<SocketPair> pairs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Selector selector = backend.openSelector();
            selectors.add(selector);
            SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK);
            pairs.add(pair);
            pair.second().register(selector, OP_READ);
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            boolean virtual = i % 2 == 0;
            int selected = Concurrently.await(Concurrently.start(virtual, selector::select));
            assertThat(selected).isEqualTo(1);
            selector.wakeup();
        }
        Map<Integer, String> open = ProcFd.list();
        assertThat(count(open, EPOLL) - count(before, EPOLL)).as("one epoll set an epoll selector, none with poll(2)")
                .isEqualTo(backend == Backend.EPOLL ? 3 : 0);
        assertThat(count(open, "socket:") - count(before, "socket:")).as("two wake-up sockets a selector, two a pair")
                .isEqualTo(3 * 2 + 3 * 2);

        for (Selector selector : selectors) {
            selector.close();
        }
        for (SocketPair pair : pairs) {
            pair.close();
        }
        Map<Integer, String> after = ProcFd.list();
        assertThat(count(after, EPOLL)).isEqualTo(count(before, EPOLL));
        assertThat(count(after, "socket:")).isEqualTo(count(before, "socket:"));
    }

    @Test
    void aChannelClosedWhileRegisteredLeavesTheEpollSetEvenIfItsSocketStaysOpenElsewhere() throws Throwable {
        Map<Integer, String> before = ProcFd.list();
        try (SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK);
             Selector selector = Backend.EPOLL.openSelector()) {
            int epfd = ProcFd.list().entrySet().stream()
                    .filter(e -> e.getValue().equals(EPOLL) && !before.containsKey(e.getKey()))
                    .findFirst().orElseThrow().getKey();
            int fd = pair.second().fd();
            pair.second().register(selector, OP_READ);
            pair.first().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(selector.selectNow()).isEqualTo(1);
            selector.selectedKeys().clear();
            assertThat(ProcFd.epollTargets(epfd)).as("in the set once selected").contains(fd);

            // A second descriptor on the same socket, as another process holding it would have: close(2)
            // of the channel's number then leaves the socket open, and epoll would keep watching it
            // under that number, readable for ever, unless the selector took it out first.
            int duplicate = dev.socketpair.internal.SocketControl.duplicate(fd);
            try {
                pair.second().close();
                assertThat(ProcFd.epollTargets(epfd)).as("out of the set, with no selection operation since")
                        .doesNotContain(fd);
                assertThat(selector.selectNow()).as("nothing reported for the closed channel").isZero();
                assertThat(selector.keys()).isEmpty();
            } finally {
                assertThat(dev.socketpair.internal.SocketControl.close(duplicate)).isZero();
            }
        }
    }

    private static long count(Map<Integer, String> fds, String prefix) {
        return fds.values().stream().filter(t -> t.startsWith(prefix)).count();
    }
}

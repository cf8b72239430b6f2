package dev.socketpair;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A selector's map from descriptor numbers to keys: any number a process can have, and a number that
 * another channel has taken since stays that channel's when the old key is removed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeysByDescriptorTest {

    private SocketPair pair;
    private Selector selector;
    private UnixSelectionKey first;
    private UnixSelectionKey second;

    @BeforeEach
    void makeKeys() throws Exception {
        pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC);
        selector = UnixSocketChannel.openSelector();
        first = new UnixSelectionKey(pair.first(), (UnixSelector) selector);
        second = new UnixSelectionKey(pair.second(), (UnixSelector) selector);
    }

    @AfterEach
    void close() throws Exception {
        selector.close();
        pair.close();
    }

    @Test
    void numbersFarApartMapToTheirOwnKeysAndUnmappedOnesToNone() {
        KeysByDescriptor map = new KeysByDescriptor();
        map.put(3, first);
        map.put(1_000_003, second);
        map.put(200, first);
        assertThat(map.get(3)).isSameAs(first);
        assertThat(map.get(200)).isSameAs(first);
        assertThat(map.get(1_000_003)).isSameAs(second);
        assertThat(map.get(4)).isNull();
        assertThat(map.get(1_000_002)).isNull();
        assertThat(map.get(1_000_004)).isNull();
        assertThat(map.get(Integer.MAX_VALUE)).isNull();
        assertThat(map.get(-1)).isNull();
    }

    @Test
    void aKeyIsRemovedOnlyFromTheNumberItIsStillMappedTo() {
        KeysByDescriptor map = new KeysByDescriptor();
        map.put(7, first);
        map.put(7, second);
        map.remove(7, first);
        assertThat(map.get(7)).as("the number reused by another channel keeps its key").isSameAs(second);
        map.remove(7, second);
        assertThat(map.get(7)).isNull();
        map.remove(500, first);
        assertThat(map.get(500)).isNull();
    }

    @Test
    void clearUnmapsEveryNumber() {
        KeysByDescriptor map = new KeysByDescriptor();
        map.put(5, first);
        map.put(5_000, second);
        map.clear();
        assertThat(map.get(5)).isNull();
        assertThat(map.get(5_000)).isNull();
        map.put(5_000, first);
        assertThat(map.get(5_000)).isSameAs(first);
    }
}

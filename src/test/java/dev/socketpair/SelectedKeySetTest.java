package dev.socketpair;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The selected-key set of the selector for UnixSocketChannels holds to {@link Set}'s contract as the JDK's
 * {@code HashSet} does, fail-fast iterators included, though it keeps its keys in an array and removes a
 * key by moving the last one into its place.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelectedKeySetTest {

    private static final int KEYS = 9;

    private final List<SocketPair> pairs = new ArrayList<>();
    private Selector selector;
    /** Keys of the selector, made without registering: the set under test is not the selector's own. */
    private final List<UnixSelectionKey> keys = new ArrayList<>();

    @BeforeEach
    void makeKeys() throws Exception {
        selector = UnixSocketChannel.openSelector();
        for (int i = 0; i < KEYS; i++) {
            SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC);
            pairs.add(pair);
            keys.add(new UnixSelectionKey(pair.second(), (UnixSelector) selector));
        }
    }

    @AfterEach
    void close() throws Exception {
        selector.close();
        for (SocketPair pair : pairs) {
            pair.close();
        }
    }

    private SelectedKeySet setOfAll() {
        SelectedKeySet set = new SelectedKeySet();
        for (UnixSelectionKey key : keys) {
            assertThat(set.add(key)).isTrue();
        }
        return set;
    }

    @Test
    void addRemoveContainsAndSizeAnswerAsAHashSetDoesForTheSameOperations() {
        SelectedKeySet set = new SelectedKeySet();
        Set<SelectionKey> model = new HashSet<>();
        Random random = new Random(42);
        for (int step = 0; step < 10_000; step++) {
            UnixSelectionKey key = keys.get(random.nextInt(KEYS));
            switch (random.nextInt(5)) {
                case 0, 1 -> assertThat(set.add(key)).as("add at step %d", step).isEqualTo(model.add(key));
                case 2, 3 -> assertThat(set.remove(key)).as("remove at step %d", step).isEqualTo(model.remove(key));
                default -> {
                    if (random.nextInt(50) == 0) {
                        set.clear();
                        model.clear();
                    }
                }
            }
            assertThat(set.size()).isEqualTo(model.size());
            assertThat(set.isEmpty()).isEqualTo(model.isEmpty());
            for (UnixSelectionKey k : keys) {
                assertThat(set.contains(k)).as("contains at step %d", step).isEqualTo(model.contains(k));
            }
            List<SelectionKey> iterated = new ArrayList<>();
            set.forEach(iterated::add);
            assertThat(iterated).containsExactlyInAnyOrderElementsOf(model);
            assertThat(set).isEqualTo(model);
            assertThat(set.hashCode()).isEqualTo(model.hashCode());
        }
        assertThat(set.contains("not a key")).isFalse();
        assertThat(set.contains(null)).isFalse();
        assertThat(set.remove("not a key")).isFalse();
        assertThat(set.remove(null)).isFalse();
    }

    @Test
    void aKeyInOneSetIsNotInAnother() {
        SelectedKeySet set = setOfAll();
        SelectedKeySet other = new SelectedKeySet();
        assertThat(other.contains(keys.get(0))).isFalse();
        assertThat(other.remove(keys.get(0))).isFalse();
        assertThat(set).hasSize(KEYS).containsAll(keys);
    }

    /** Which keys, by the order in which iteration meets them, the iterator removes. */
    @ParameterizedTest(name = "remove {0}")
    @ValueSource(strings = {"none", "all", "first", "middle", "last", "even", "odd", "allButLast"})
    void iteratorRemoveVisitsEveryKeyExactlyOnceAndRemovesExactlyThoseItRemoved(String which) {
        IntPredicate removes = switch (which) {
            case "none" -> n -> false;
            case "all" -> n -> true;
            case "first" -> n -> n == 0;
            case "middle" -> n -> n == KEYS / 2;
            case "last" -> n -> n == KEYS - 1;
            case "even" -> n -> n % 2 == 0;
            case "odd" -> n -> n % 2 == 1;
            case "allButLast" -> n -> n < KEYS - 1;
            default -> throw new IllegalArgumentException(which);
        };
        SelectedKeySet set = setOfAll();
        List<SelectionKey> visited = new ArrayList<>();
        Set<SelectionKey> removed = new HashSet<>();
        for (Iterator<SelectionKey> i = set.iterator(); i.hasNext(); ) {
            SelectionKey key = i.next();
            if (removes.test(visited.size())) {
                i.remove();
                removed.add(key);
            }
            visited.add(key);
        }
        assertThat(visited).containsExactlyInAnyOrderElementsOf(keys);
        Set<SelectionKey> left = new HashSet<>(keys);
        left.removeAll(removed);
        assertThat(set).isEqualTo(left);
        for (UnixSelectionKey key : keys) {
            assertThat(set.contains(key)).isEqualTo(left.contains(key));
        }
        for (SelectionKey key : removed) {
            assertThat(set.add(key)).as("a removed key can come back").isTrue();
        }
        assertThat(set).hasSize(KEYS).containsAll(keys);
    }

    @Test
    void removeIfAndRemoveAllRemoveExactlyTheKeysAsked() {
        SelectedKeySet set = setOfAll();
        assertThat(set.removeIf(key -> keys.indexOf(key) % 3 == 0)).isTrue();
        assertThat(set.removeAll(List.of(keys.get(1), keys.get(5)))).isTrue();
        assertThat(set).containsExactlyInAnyOrder(keys.get(2), keys.get(4), keys.get(7), keys.get(8));
    }

    @Test
    void anIteratorFailsFastOnceTheSetChangesOtherThanThroughIt() {
        SelectedKeySet set = setOfAll();
        Iterator<SelectionKey> removedFrom = set.iterator();
        removedFrom.next();
        set.remove(keys.get(KEYS - 1));
        assertThatThrownBy(removedFrom::next).isInstanceOf(ConcurrentModificationException.class);
        assertThatThrownBy(removedFrom::remove).isInstanceOf(ConcurrentModificationException.class);

        Iterator<SelectionKey> addedTo = set.iterator();
        addedTo.next();
        set.add(keys.get(KEYS - 1));
        assertThatThrownBy(addedTo::next).isInstanceOf(ConcurrentModificationException.class);

        Iterator<SelectionKey> cleared = set.iterator();
        cleared.next();
        set.clear();
        assertThatThrownBy(cleared::next).isInstanceOf(ConcurrentModificationException.class);
        assertThat(cleared.hasNext()).as("hasNext, as HashSet's, only looks at the size").isFalse();

        set.add(keys.get(0));
        Iterator<SelectionKey> unchanged = set.iterator();
        unchanged.next();
        assertThat(set.add(keys.get(0))).as("adding a key already there is no change").isFalse();
        assertThat(set.remove(keys.get(1))).as("removing one not there is none either").isFalse();
        unchanged.remove();
        assertThat(set).isEmpty();
    }

    @Test
    void anIteratorRemovesOnlyAfterNextAndOnlyOnceAndEndsWithNoSuchElement() {
        SelectedKeySet set = setOfAll();
        Iterator<SelectionKey> i = set.iterator();
        assertThatThrownBy(i::remove).isInstanceOf(IllegalStateException.class);
        i.next();
        i.remove();
        assertThatThrownBy(i::remove).isInstanceOf(IllegalStateException.class);
        while (i.hasNext()) {
            i.next();
        }
        assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
        assertThat(set).hasSize(KEYS - 1);
    }

    @Test
    void clearEmptiesTheSetAndItsKeysCanBeAddedAgain() {
        SelectedKeySet set = setOfAll();
        set.clear();
        assertThat(set).isEmpty();
        assertThat(set.iterator().hasNext()).isFalse();
        for (UnixSelectionKey key : keys) {
            assertThat(set.contains(key)).isFalse();
            assertThat(key.selectedIndex).as("a key out of the set has no place in it").isEqualTo(-1);
        }
        assertThat(set.add(keys.get(3))).isTrue();
        assertThat(set).containsExactly(keys.get(3));
    }

    @Test
    void theSetGrowsPastItsFirstArray() throws Exception {
        List<SocketPair> more = new ArrayList<>();
        try {
            SelectedKeySet set = new SelectedKeySet();
            List<UnixSelectionKey> many = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                more.add(SocketPair.open(SocketType.STREAM, SocketFlag.CLOEXEC));
                many.add(new UnixSelectionKey(more.get(i).first(), (UnixSelector) selector));
                assertThat(set.add(many.get(i))).isTrue();
            }
            assertThat(set).hasSize(100).containsAll(many);
            for (int i = 0; i < 100; i += 2) {
                assertThat(set.remove(many.get(i))).isTrue();
            }
            assertThat(set).hasSize(50);
            for (int i = 0; i < 100; i++) {
                assertThat(set.contains(many.get(i))).isEqualTo(i % 2 == 1);
            }
        } finally {
            for (SocketPair pair : more) {
                pair.close();
            }
        }
    }

    @Test
    void theSelectorsSetRefusesAddButNotRemovalAndKeepsItsKeysRightAsCancelledOnesLeave() throws Exception {
        List<SelectionKey> registered = new ArrayList<>();
        for (SocketPair pair : pairs) {
            registered.add(pair.second().register(selector, OP_READ));
            assertThat(pair.first().write(ByteBuffer.wrap(new byte[] {1}))).isOne();
        }
        assertThat(selector.selectNow()).isEqualTo(KEYS);
        Set<SelectionKey> selected = selector.selectedKeys();
        assertThat(selected).containsExactlyInAnyOrderElementsOf(registered);
        assertThatThrownBy(() -> selected.add(registered.get(0))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> selected.addAll(registered)).isInstanceOf(UnsupportedOperationException.class);

        // Cancelled keys leave the set at the next selection operation, which moves others into their places.
        List<SelectionKey> inOrder = new ArrayList<>(selected);
        inOrder.get(0).cancel();
        inOrder.get(KEYS / 2).cancel();
        List<SelectionKey> valid = registered.stream().filter(SelectionKey::isValid).toList();
        assertThat(selector.selectNow()).as("nothing new for the keys still selected").isZero();
        assertThat(selected).containsExactlyInAnyOrderElementsOf(valid);
        for (SelectionKey key : valid) {
            assertThat(selected.contains(key)).isTrue();
        }

        // Removed through the view's iterator, a key's readiness is set afresh at the next selection.
        SelectionKey removed = null;
        for (Iterator<SelectionKey> i = selected.iterator(); i.hasNext(); ) {
            SelectionKey key = i.next();
            if (removed == null) {
                i.remove();
                removed = key;
            }
        }
        assertThat(selected).hasSize(valid.size() - 1).doesNotContain(removed);
        assertThat(selector.selectNow()).as("the removed key only").isOne();
        assertThat(selected).containsExactlyInAnyOrderElementsOf(valid);
    }
}

package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.SocketControl;
import dev.socketpair.internal.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.FileInputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A child process gets exactly the sockets and descriptors placed for it, at the numbers chosen, open and
 * inheritable, and talks over them, descriptor passing included; nothing else of this process is open in
 * it. The children are python3 and cat.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ChildProcessDescriptorsTest {

    private static final CLibrary C = Platform.current().library();

    /** Prints "fd:flags:target" for every descriptor open in the child, one a line. */
    private static final String LIST_DESCRIPTORS = """
            import fcntl, os, sys
            lines = []
            for name in sorted(os.listdir('/proc/self/fd'), key=int):
                fd = int(name)
                try:
                    flags = fcntl.fcntl(fd, fcntl.F_GETFD)
                except OSError:
                    continue  # the directory listing's own descriptor, closed by now
                lines.append('%d:%d:%s' % (fd, flags & fcntl.FD_CLOEXEC, os.readlink('/proc/self/fd/%d' % fd)))
            sys.stdout.write('\\n'.join(lines))
            """;

    @TempDir
    Path directory;

    @Test
    void childReceivesOurDescriptorsOverTheSocketAtFdThreeAndUsesThem() throws Exception {
        byte[] content = Bytes.ascii("0123456789 file content");
        Path file = Files.write(directory.resolve("data"), content);
        int[] pipe = RawFd.pipe(true);
        try (SocketPair pair = SocketPair.open();
             FileInputStream input = new FileInputStream(file.toFile())) {
            // We have read 4 bytes: the child's copy shares the open file's offset.
            assertThat(input.readNBytes(4)).containsExactly(Arrays.copyOf(content, 4));
            Process child = Children.python("""
                    import os, socket
                    s = socket.socket(fileno=3)
                    msg, fds, flags, addr = socket.recv_fds(s, 64, 2)
                    os.write(fds[0], b'through the pipe: ' + msg)
                    os.close(fds[0])
                    s.sendall(b'file: ' + os.read(fds[1], 100))
                    """).place(3, pair.second()).start();
            pair.second().close();

            int fileFd = ProcFd.find(file);
            assertThat(pair.first().sendDescriptors(ByteBuffer.wrap(Bytes.ascii("hello")), pipe[1], fileFd))
                    .isEqualTo(5);
            RawFd.close(pipe[1]);

            assertThat(Children.readAll(pair.first())).isEqualTo("file: 456789 file content");
            assertThat(new String(RawFd.read(pipe[0], 100), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("through the pipe: hello");
            assertThat(RawFd.read(pipe[0], 100)).as("end of the pipe: every write end is closed").isEmpty();
            assertThat(child.waitFor()).isZero();
        } finally {
            RawFd.close(pipe[0]);
        }
    }

    @Test
    void childSendsItsOwnDescriptorsBackAndWeReadThroughThem() throws Exception {
        Path file = directory.resolve("written-by-child");
        try (SocketPair pair = SocketPair.open()) {
            Process child = Children.python("""
                    import os, socket, sys
                    s = socket.socket(fileno=3)
                    with open(sys.argv[1], 'wb') as f:
                        f.write(b'bytes the child wrote')
                    fd = os.open(sys.argv[1], os.O_RDONLY)
                    r, w = os.pipe()
                    socket.send_fds(s, [b'two'], [fd, r])
                    os.write(w, b'from the child pipe')
                    """, file.toString()).place(3, pair.second()).start();
            pair.second().close();

            ByteBuffer data = ByteBuffer.allocate(16);
            try (ReceivedMessage message = pair.first().receive(data, 2)) {
                assertThat(Bytes.ascii(data.flip())).isEqualTo("two");
                assertThat(message.descriptorCount()).isEqualTo(2);
                assertThat(ProcFd.target(message.descriptor(0))).isEqualTo(file.toString());
                assertThat(RawFd.read(message.descriptor(0), 100)).containsExactly(Bytes.ascii("bytes the child wrote"));
                assertThat(child.waitFor()).isZero();
                // The child has exited: the pipe's only write end is gone, after its bytes.
                assertThat(RawFd.read(message.descriptor(1), 100)).containsExactly(Bytes.ascii("from the child pipe"));
                assertThat(RawFd.read(message.descriptor(1), 100)).isEmpty();
            }
        }
    }

    @Test
    void descriptorsNumberedJustBelowTheDescriptorLimitArePlaced() throws Exception {
        long limit = ProcFd.openFilesLimit();
        assumeTrue(limit <= 1 << 20, "a descriptor limit low enough to use its top numbers, have " + limit);
        try (SocketPair a = SocketPair.open(); SocketPair b = SocketPair.open()) {
            // The two highest numbers this process may have: nothing above them is free for a detour.
            int high = fcntlDuplicateAtLeast(a.second().fd(), (int) limit - 2);
            int higher = fcntlDuplicateAtLeast(b.second().fd(), (int) limit - 1);
            assertThat(higher).isEqualTo(limit - 1);
            try {
                Process child = Children.python("import os; os.write(3, b'a'); os.write(4, b'b')")
                        .placeDescriptor(3, high).placeDescriptor(4, higher).start();
                assertThat(child.waitFor()).isZero();
            } finally {
                assertThat(SocketControl.close(high)).isZero();
                assertThat(SocketControl.close(higher)).isZero();
            }
            a.second().close();
            b.second().close();
            assertThat(Children.readAll(a.first())).isEqualTo("a");
            assertThat(Children.readAll(b.first())).isEqualTo("b");
        }
    }

    /** fcntl(F_DUPFD_CLOEXEC) with a lowest number: the library itself always asks for the lowest. */
    private static int fcntlDuplicateAtLeast(int fd, int lowest) {
        try (Arena arena = Arena.ofConfined()) {
            int r = Syscalls.fcntl(fd, C.constant("F_DUPFD_CLOEXEC"), lowest, Syscalls.allocateErrnoCapture(arena));
            assertThat(r).as("fcntl(%d, F_DUPFD_CLOEXEC, %d)", fd, lowest).isGreaterThanOrEqualTo(lowest);
            return r;
        }
    }

    @Test
    void standardInputAndOutputPlacedOnOneSocketEchoThroughCat() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Process child = new ChildProcessBuilder("cat").place(0, pair.second()).place(1, pair.second()).start();
            pair.second().close();
            pair.first().write(ByteBuffer.wrap(Bytes.ascii("echo me\n")));
            pair.first().shutdownOutput();
            assertThat(Children.readAll(pair.first())).isEqualTo("echo me\n");
            assertThat(child.waitFor()).isZero();
        }
    }

    @Test
    void standardErrorPlacedOnASocketCarriesTheChildsDiagnostics() throws Exception {
        try (SocketPair err = SocketPair.open()) {
            Process child = Children.python("import sys; sys.stderr.write('to stderr'); sys.exit(3)")
                    .place(2, err.second()).start();
            err.second().close();
            assertThat(Children.readAll(err.first())).isEqualTo("to stderr");
            assertThat(child.waitFor()).isEqualTo(3);
        }
    }

    /**
     * Sockets at 3 and 7 (4, 5, 6 between them closed), and descriptors of this process that are not
     * close-on-exec (which exec alone would let through) both below and above the highest target.
     */
    @Test
    void childHasExactlyThePlacedDescriptorsAndStdioEvenWhereOursAreInheritable() throws Exception {
        int[] inheritable = RawFd.pipe(false);
        assertThat(Kernel.closeOnExec(inheritable[0])).isFalse();
        try (SocketPair a = SocketPair.open();
             SocketPair b = SocketPair.open(SocketType.STREAM, java.util.EnumSet.noneOf(SocketFlag.class))) {
            assertThat(b.second().isCloseOnExec()).isFalse();
            // A target above one of the inheritable pipe ends puts that end in a gap between targets.
            int highTarget = inheritable[0] + 1;
            // b's inheritable ends lie above every target: closefrom must close them.
            assertThat(b.first().fd()).isGreaterThan(highTarget);
            String listing = Children.output(Children.python(LIST_DESCRIPTORS)
                    .place(3, a.second())
                    .place(highTarget, a.second()));
            Map<Integer, String> open = parse(listing);

            Set<Integer> expected = new TreeSet<>(Set.of(1, 3, highTarget));
            for (int stdio : new int[] {0, 2}) {
                if (ProcFd.target(stdio) != null) {
                    expected.add(stdio);   // not placed: inherited from this process
                }
            }
            assertThat(open.keySet()).containsExactlyElementsOf(expected);
            assertThat(open.get(3)).isEqualTo("0:" + ProcFd.target(a.second().fd()));
            assertThat(open.get(highTarget)).isEqualTo("0:" + ProcFd.target(a.second().fd()));
            for (int stdio : new int[] {0, 2}) {
                if (expected.contains(stdio)) {
                    assertThat(open.get(stdio)).endsWith(":" + ProcFd.target(stdio));
                }
            }
        } finally {
            RawFd.close(inheritable);
        }
    }

    @Test
    void descriptorsPlacedOnEachOthersNumbersAreSwappedInTheChild() throws Exception {
        try (SocketPair x = SocketPair.open(); SocketPair y = SocketPair.open()) {
            int xFd = x.second().fd();
            int yFd = y.second().fd();
            String listing = Children.output(Children.python(LIST_DESCRIPTORS)
                    .place(xFd, y.second())
                    .place(yFd, x.second()));
            Map<Integer, String> open = parse(listing);
            assertThat(open.get(xFd)).isEqualTo("0:" + ProcFd.target(yFd));
            assertThat(open.get(yFd)).isEqualTo("0:" + ProcFd.target(xFd));
        }
    }

    @Test
    void anUnplacedNumberIsNotOpenInTheChild() throws Exception {
        try (SocketPair kept = SocketPair.open(); SocketPair dropped = SocketPair.open()) {
            String listing = Children.output(Children.python(LIST_DESCRIPTORS)
                    .place(3, kept.second())
                    .place(4, dropped.second())
                    .unplace(4));
            Map<Integer, String> open = parse(listing);
            assertThat(open.get(3)).isEqualTo("0:" + ProcFd.target(kept.second().fd()));
            assertThat(open).doesNotContainKey(4);
        }
    }

    /** The child's stdin and stdout are each other's sockets: 0 <-> 1 swapped, raw descriptors. */
    @Test
    void rawDescriptorsSwappedAcrossStandardNumbersStillTalk() throws Exception {
        try (SocketPair in = SocketPair.open(); SocketPair out = SocketPair.open()) {
            Process child = new ChildProcessBuilder("cat")
                    .placeDescriptor(0, in.second().fd())
                    .placeDescriptor(1, out.second().fd())
                    .start();
            in.second().close();
            out.second().close();
            in.first().write(ByteBuffer.wrap(Bytes.ascii("across")));
            in.first().shutdownOutput();
            assertThat(Children.readAll(out.first())).isEqualTo("across");
            assertThat(child.waitFor()).isZero();
        }
    }

    @ParameterizedTest(name = "close-on-exec channel: {0}")
    @ValueSource(booleans = {true, false})
    void aDescriptorPlacedAtItsOwnNumberIsInheritedWithCloseOnExecCleared(boolean closeOnExec) throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            pair.second().setCloseOnExec(closeOnExec);
            int fd = pair.second().fd();
            String listing = Children.output(Children.python(LIST_DESCRIPTORS).place(fd, pair.second()));
            assertThat(parse(listing).get(fd)).isEqualTo("0:" + ProcFd.target(fd));
            assertThat(pair.second().isCloseOnExec()).as("unchanged in this process").isEqualTo(closeOnExec);
        }
    }

    @Test
    void childTalksOverThePlacedSocketWhileWeKeepOurEnd() throws Exception {
        try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
            Process child = Children.python("""
                    import socket
                    s = socket.socket(fileno=5)
                    while True:
                        m = s.recv(100)
                        if not m:
                            break
                        s.send(m.upper())
                    """).place(5, pair.second()).start();
            pair.second().close();
            for (String word : new String[] {"one", "two", "three"}) {
                pair.first().write(ByteBuffer.wrap(Bytes.ascii(word)));
                ByteBuffer reply = ByteBuffer.allocate(100);
                pair.first().read(reply);
                assertThat(Bytes.ascii(reply.flip())).isEqualTo(word.toUpperCase());
            }
            pair.first().shutdownOutput();
            assertThat(child.waitFor()).isZero();
        }
    }

    /** The example of the package documentation, as written there. */
    @Test
    void thePackageExampleWorksAsDocumented() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            Process child = new ChildProcessBuilder("python3", "-c", "import socket; s = socket.socket(fileno=3); s.send(s.recv(64).upper())")
                    .place(3, pair.second())     // the child's descriptor 3
                    .start();
            pair.second().close();               // the child has its own copy of this end
            pair.first().write(ByteBuffer.wrap("ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            ByteBuffer reply = ByteBuffer.allocate(64);
            pair.first().read(reply);            // "PING"
            int status = child.waitFor();        // 0
            assertThat(Bytes.ascii(reply.flip())).isEqualTo("PING");
            assertThat(status).isZero();
        }
    }

    @Test
    void aVirtualThreadStartsAChildAndWaitsForIt() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            java.util.concurrent.atomic.AtomicReference<Object> result = new java.util.concurrent.atomic.AtomicReference<>();
            Thread thread = Thread.ofVirtual().start(() -> {
                try {
                    Process child = new ChildProcessBuilder("cat").place(0, pair.second()).place(1, pair.second()).start();
                    pair.second().close();
                    pair.first().write(ByteBuffer.wrap(Bytes.ascii("virtual")));
                    pair.first().shutdownOutput();
                    String echoed = Children.readAll(pair.first());
                    result.set(echoed + ":" + child.waitFor());
                } catch (Exception e) {
                    result.set(e);
                }
            });
            thread.join();
            assertThat(result.get()).isEqualTo("virtual:0");
        }
    }

    /** "fd:cloexec:target" lines to fd -> "cloexec:target". */
    private static Map<Integer, String> parse(String listing) {
        Map<Integer, String> open = new TreeMap<>();
        for (String line : listing.split("\n")) {
            int colon = line.indexOf(':');
            open.put(Integer.parseInt(line.substring(0, colon)), line.substring(colon + 1));
        }
        return open;
    }
}

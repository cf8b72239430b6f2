package dev.socketpair;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * 10,000 virtual threads blocked reading (5,000 pairs, a reader on each end) on two carrier threads:
 * another virtual thread still runs, then every reader is released and every echo completes, and JFR
 * sees no virtual thread park while pinned in the library; on each backend of the pollers (epoll, and
 * the poll(2) thread of the BSDs and macOS).
 */
class ManyVirtualReadersTest {

    private static final int PAIRS = 5_000;

    @ParameterizedTest
    @EnumSource(Backend.class)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void tenThousandBlockedVirtualReadersLeaveTheCarriersFreeAndAllComplete(Backend backend) throws Exception {
        long limit = ProcFd.openFilesLimit();
        assumeTrue(limit > 2 * PAIRS + 200, "needs a descriptor limit above " + (2 * PAIRS + 200) + ", have " + limit);
        Path recording = Files.createTempFile("pinned", ".jfr");
        String output = ProbeJvm.run(ManyVirtualReadersProbe.class, List.of("-Xmx512m", backend.jvmOption(),
                "-Djdk.virtualThreadScheduler.parallelism=2", "-Djdk.virtualThreadScheduler.maxPoolSize=2",
                "-XX:StartFlightRecording:jdk.VirtualThreadPinned#enabled=true,jdk.VirtualThreadPinned#threshold=0ms,"
                        + "filename=" + recording), List.of(Integer.toString(PAIRS)), 150);
        assertThat(output).contains("readers 10000", "extra work done", "round trips 5000");

        Process print = new ProcessBuilder(Emulation.jdkCommand("jfr"), "print", "--events", "jdk.VirtualThreadPinned",
                recording.toString()).redirectErrorStream(true).start();
        String pinned = new String(print.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(print.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Files.delete(recording);
        assertThat(print.exitValue()).as(pinned).isZero();
        assertThat(pinnedInLibrary(pinned)).as("virtual threads parked while pinned in the library").isEmpty();
    }

    /**
     * The pinned events of {@code jfr print} output whose stack passes through the library, leaving out
     * what the JDK does on its own account:
     * <ul>
     * <li>class loading and initialisation: a virtual thread that waits for another thread to load or
     *     initialise a class is pinned by the JVM, once per class, whatever the class;</li>
     * <li>contention inside {@code LockSupport.park} itself: a virtual thread that unmounts takes a lock
     *     of its own {@code VirtualThread} object, which another thread inspecting or interrupting it
     *     at that moment also takes, and the JVM reports the sub-microsecond wait as a pinned
     *     "Contended monitor enter" at the park's call site. The library's park call sites are the
     *     pollers' loop and {@code SocketDescriptor.parkUntilReady}, neither of which holds a monitor
     *     or is inside a native frame.</li>
     * </ul>
     */
    private static List<String> pinnedInLibrary(String printed) {
        return java.util.Arrays.stream(printed.split("(?=jdk\\.VirtualThreadPinned \\{)"))
                .filter(event -> event.contains("dev.socketpair."))
                .filter(event -> !event.contains("Waited for initialization") && !event.contains("ClassLoader.loadClass")
                        && !CLASS_INITIALISER.matcher(event).find())
                .filter(event -> !(event.contains("blockingOperation = \"Contended monitor enter\"")
                        && PARK_CALL_SITE.matcher(event).find()))
                .toList();
    }

    /** The JVM pinned the thread while it ran a class initialiser, which it does once per class. */
    private static final java.util.regex.Pattern CLASS_INITIALISER = java.util.regex.Pattern.compile(
            "pinnedReason = \"VM call to [\\w.$]+\\.<clinit> on stack\"");

    /** The first frame of an event's stack is one of the library's calls to LockSupport.park. */
    private static final java.util.regex.Pattern PARK_CALL_SITE = java.util.regex.Pattern.compile(
            "stackTrace = \\[\\s*dev\\.socketpair\\.internal\\.(Poller\\.subPollerLoop|SocketDescriptor\\.parkUntilReady)\\(");
}

package dev.socketpair;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link Process} that {@link ChildProcessBuilder#start()} returns behaves as the JDK's: exit
 * values (128 + signal for a signalled child), waiting with and without a timeout, destroy, onExit and
 * the ProcessHandle; every child is reaped, none is left a zombie. Also: environment, working
 * directory and signal state reach the child.
 *
 * <p>Not provoked here: waitid(2) on the library's own child fails only with EINTR (retried) or, if code
 * outside the library reaped the child first, ECHILD (the JDK's answer, exit value 0, which would
 * need a native waitpid(-1) racing the reaper); any other failure is impossible for a pid this
 * process spawned and has not reaped, and would release waiters with an IllegalStateException.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ChildProcessLifecycleTest {

    private static final CLibrary C = Platform.current().library();

    @TempDir
    Path directory;

    @Test
    void exitValueIsTheChildsExitStatusAndTheChildIsReaped() throws Exception {
        Process child = Children.python("import sys; sys.exit(42)").start();
        assertThat(child.waitFor()).isEqualTo(42);
        assertThat(child.exitValue()).isEqualTo(42);
        assertThat(child.isAlive()).isFalse();
        assertThat(Children.state(child.pid())).as("no zombie, no process: reaped").isNull();
    }

    @Test
    void aRunningChildIsAliveHasNoExitValueAndWaitForTimesOut() throws Exception {
        try (SocketPair stdin = SocketPair.open()) {
            Process child = new ChildProcessBuilder("cat").place(0, stdin.second()).start();
            stdin.second().close();
            assertThat(child.isAlive()).isTrue();
            assertThatThrownBy(child::exitValue).isInstanceOf(IllegalThreadStateException.class);
            long start = System.nanoTime();
            assertThat(child.waitFor(100, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(Children.state(child.pid())).as("running or sleeping").isIn('R', 'S');

            stdin.first().shutdownOutput();   // cat sees end of input and exits
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
            assertThat(child.waitFor(0, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void destroySendsSigtermAndTheExitValueIs128PlusSigterm() throws Exception {
        Process child = sleepingChild();
        child.destroy();
        assertThat(child.waitFor()).isEqualTo(128 + C.constant("SIGTERM"));
        assertThat(Children.state(child.pid())).isNull();
    }

    /** What {@link Process#supportsNormalTermination()} promises: the child's SIGTERM handler runs. */
    @Test
    void destroyLetsAChildThatHandlesSigtermTerminateNormally() throws Exception {
        try (SocketPair link = SocketPair.open()) {
            Process child = Children.python("""
                    import signal, socket, sys
                    link = socket.socket(fileno=3)
                    def finish(signum, frame):
                        link.send(b'cleaned up')
                        sys.exit(3)
                    signal.signal(signal.SIGTERM, finish)
                    link.send(b'r')
                    signal.pause()
                    """).place(3, link.second()).start();
            link.second().close();
            assertThat(link.first().read(ByteBuffer.allocate(1))).as("handler installed by now").isEqualTo(1);
            assertThat(child.supportsNormalTermination()).isTrue();
            child.destroy();
            assertThat(child.waitFor()).as("the handler's exit status").isEqualTo(3);
            assertThat(Children.readAll(link.first())).isEqualTo("cleaned up");
        }
    }

    @Test
    void destroyForciblyKillsAChildThatIgnoresSigterm() throws Exception {
        try (SocketPair ready = SocketPair.open()) {
            Process child = Children.python("""
                    import os, signal, socket
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    socket.socket(fileno=3).send(b'r')
                    signal.pause()
                    """).place(3, ready.second()).start();
            ready.second().close();
            assertThat(ready.first().read(ByteBuffer.allocate(1))).as("SIGTERM ignored by now").isEqualTo(1);
            child.destroy();
            assertThat(child.waitFor(300, TimeUnit.MILLISECONDS)).as("SIGTERM is ignored").isFalse();
            assertThat(child.destroyForcibly()).isSameAs(child);
            assertThat(child.waitFor()).isEqualTo(128 + C.constant("SIGKILL"));
        }
    }

    @Test
    void destroyAfterExitDoesNothing() throws Exception {
        Process child = new ChildProcessBuilder("true").start();
        assertThat(child.waitFor()).isZero();
        child.destroy();
        child.destroyForcibly();
        assertThat(child.exitValue()).isZero();
    }

    @Test
    void onExitCompletesWithTheProcessAndCancellingOneFutureLeavesOthers() throws Exception {
        Process child = sleepingChild();
        CompletableFuture<Process> cancelled = child.onExit();
        CompletableFuture<Process> exit = child.onExit();
        assertThat(cancelled.cancel(false)).isTrue();
        assertThat(exit).isNotDone();
        child.destroyForcibly();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isSameAs(child);
        assertThat(child.onExit().getNow(null)).as("done once exited").isSameAs(child);
        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void theJdksProcessHandleSeesTheChildAndItsExit() throws Exception {
        Process child = sleepingChild();
        ProcessHandle handle = child.toHandle();
        assertThat(handle.pid()).isEqualTo(child.pid());
        assertThat(handle.isAlive()).isTrue();
        assertThat(ProcessHandle.of(child.pid())).map(ProcessHandle::pid).contains(child.pid());
        assertThat(ProcessHandle.current().children().map(ProcessHandle::pid)).contains(child.pid());
        assertThat(handle.info().command()).hasValueSatisfying(command -> assertThat(command).endsWith("sleep"));
        // The JDK waits on it without reaping (WNOWAIT): this class still gets the exit status.
        CompletableFuture<ProcessHandle> handleExit = handle.onExit();
        child.destroy();
        assertThat(handleExit.get(10, TimeUnit.SECONDS).pid()).isEqualTo(child.pid());
        assertThat(child.waitFor()).isEqualTo(128 + C.constant("SIGTERM"));
        assertThat(handle.isAlive()).isFalse();
        assertThat(ProcessHandle.of(child.pid())).isEqualTo(Optional.empty());
    }

    @Test
    void manyChildrenAreEachReapedWithTheirOwnStatus() throws Exception {
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            children.add(new ChildProcessBuilder("sh", "-c", "exit " + i).start());
        }
        for (int i = 0; i < children.size(); i++) {
            assertThat(children.get(i).waitFor()).isEqualTo(i);
        }
        for (Process child : children) {
            assertThat(Children.state(child.pid())).isNull();
        }
    }

    @Test
    void theChildHasNoPipesAndItsStreamsAreEmpty() throws Exception {
        Process child = new ChildProcessBuilder("true").start();
        assertThat(child.getInputStream().read()).isEqualTo(-1);
        assertThat(child.getErrorStream().read()).isEqualTo(-1);
        assertThatThrownBy(() -> child.getOutputStream().write(1)).isInstanceOf(IOException.class)
                .hasMessage("Stream closed");
        assertThat(child.waitFor()).isZero();
    }

    @Test
    void theEnvironmentMapIsWhatTheChildGets() throws Exception {
        ChildProcessBuilder builder = new ChildProcessBuilder("/usr/bin/env", "-0");   // NUL after each: values may hold newlines
        assertThat(builder.environment()).isEqualTo(System.getenv());
        builder.environment().put("SOCKETPAIR_TEST", "value with spaces and = in it");
        builder.environment().remove("PATH");
        Map<String, String> childs = new java.util.HashMap<>();
        for (String line : Children.output(builder).split("\0")) {
            int equals = line.indexOf('=');
            childs.put(line.substring(0, equals), line.substring(equals + 1));
        }
        assertThat(childs).isEqualTo(builder.environment()).doesNotContainKey("PATH")
                .containsEntry("SOCKETPAIR_TEST", "value with spaces and = in it");
    }

    @Test
    void theProgramIsSearchedInThisProcesssPathNotTheChilds() throws Exception {
        ChildProcessBuilder builder = new ChildProcessBuilder("env");
        builder.environment().clear();
        builder.environment().put("PATH", directory.toString());
        assertThat(Children.output(builder)).isEqualTo("PATH=" + directory + "\n");
    }

    @Test
    void theWorkingDirectoryTakesEffect() throws Exception {
        String cwd = Children.output(new ChildProcessBuilder("readlink", "/proc/self/cwd").directory(directory));
        assertThat(cwd).isEqualTo(directory.toRealPath() + "\n");
        String ours = Children.output(new ChildProcessBuilder("readlink", "/proc/self/cwd"));
        assertThat(ours).as("no directory: this process's").isEqualTo(Path.of("").toRealPath() + "\n");
    }

    @Test
    void anEmptyEnvironmentGivesTheChildNone() throws Exception {
        ChildProcessBuilder builder = new ChildProcessBuilder("/usr/bin/env");
        builder.environment().clear();
        assertThat(Children.output(builder)).isEmpty();
    }

    @Test
    void aProgramWithASlashIsRunFromTheChildsWorkingDirectory() throws Exception {
        Path script = Files.writeString(directory.resolve("hello.sh"), "#!/bin/sh\necho hello from $0\n");
        script.toFile().setExecutable(true);
        String text = Children.output(new ChildProcessBuilder("./hello.sh").directory(directory));
        assertThat(text).isEqualTo("hello from ./hello.sh\n");
    }

    /**
     * The JVM's threads block SIGQUIT; the child must start with no signal blocked and no standard
     * signal ignored (cat changes neither before it prints its own status). glibc's posix_spawn leaves
     * the two real-time signals glibc reserves for itself (32 and 33) ignored, and no glibc call can
     * change that; only the standard signals 1 to 31 are checked for being ignored.
     */
    @Test
    void theChildStartsWithNoSignalBlockedOrIgnored() throws Exception {
        Map<String, String> ours = statusFields(Files.readString(Path.of("/proc/thread-self/status")));
        assertThat(Long.parseLong(ours.get("SigBlk"), 16)).as("this thread blocks signals").isNotZero();
        Map<String, String> status = statusFields(Children.output(new ChildProcessBuilder("cat", "/proc/self/status")));
        assertThat(Long.parseLong(status.get("SigBlk"), 16)).as("blocked").isZero();
        long standardSignals = (1L << 31) - 1;   // bit n - 1 is signal n
        assertThat(Long.parseLong(status.get("SigIgn"), 16) & standardSignals).as("ignored").isZero();
    }

    /** A child that sleeps until signalled. */
    private static Process sleepingChild() throws IOException {
        return new ChildProcessBuilder("sleep", "60").start();
    }

    private static Map<String, String> statusFields(String status) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }
}

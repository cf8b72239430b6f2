package dev.socketpair;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A child that cannot start is reported by {@link ChildProcessBuilder#start()} as an ErrnoException
 * with the errno of the failed exec, chdir or dup2, never as a child that exits 127; and leaves nothing
 * behind: no descriptor in this process, no zombie. Bad arguments are refused before any system call.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChildProcessStartErrorsTest {

    @TempDir
    Path directory;

    private Map<Integer, String> descriptorsBefore;

    @BeforeEach
    void noChildrenAndTheDescriptorsBefore() {
        assertThat(Children.ofThisProcess()).isEmpty();
        descriptorsBefore = RawFd.open();
    }

    @AfterEach
    void noDescriptorLeftOpenAndNoChildLeft() {
        assertThat(RawFd.open()).as("descriptors of this process").isEqualTo(descriptorsBefore);
        assertThat(Children.ofThisProcess()).as("children (a zombie shows state Z)").isEmpty();
    }

    @Test
    void aMissingProgramFailsWithEnoent() {
        ErrnoException e = childFailsToStart(new ChildProcessBuilder(directory.resolve("missing").toString()));
        assertThat(e.errnoName()).isEqualTo("ENOENT");
        assertThat(e.syscall()).isEqualTo("posix_spawnp");
        assertThat(e).hasMessageContaining(directory.resolve("missing").toString());
    }

    @Test
    void aProgramNotInPathFailsWithEnoent() {
        ErrnoException e = childFailsToStart(new ChildProcessBuilder("socketpair-no-such-program-anywhere"));
        assertThat(e.errnoName()).isEqualTo("ENOENT");
    }

    @Test
    void aFileThatIsNotExecutableFailsWithEacces() throws Exception {
        Path script = Files.writeString(directory.resolve("script.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-------"));
        ErrnoException e = childFailsToStart(new ChildProcessBuilder(script.toString()));
        assertThat(e.errnoName()).isEqualTo("EACCES");
    }

    @Test
    void aDirectoryAsTheProgramFailsWithEacces() {
        ErrnoException e = childFailsToStart(new ChildProcessBuilder(directory.toString()));
        assertThat(e.errnoName()).isEqualTo("EACCES");
    }

    @Test
    void aMissingWorkingDirectoryFailsWithEnoent() {
        Path missing = directory.resolve("missing");
        ErrnoException e = childFailsToStart(new ChildProcessBuilder("true").directory(missing));
        assertThat(e.errnoName()).isEqualTo("ENOENT");
        assertThat(e).hasMessageContaining("in directory \"" + missing + "\"");
    }

    @Test
    void aFileAsTheWorkingDirectoryFailsWithEnotdir() throws Exception {
        Path file = Files.writeString(directory.resolve("file"), "not a directory");
        ErrnoException e = childFailsToStart(new ChildProcessBuilder("true").directory(file));
        assertThat(e.errnoName()).isEqualTo("ENOTDIR");
    }

    @Test
    void aRawDescriptorThatIsNotOpenFailsWithEbadf() {
        int notOpen = Collections.max(ProcFd.list().keySet()) + 100;
        ErrnoException e = childFailsToStart(new ChildProcessBuilder("true").placeDescriptor(3, notOpen));
        assertThat(e.errnoName()).isEqualTo("EBADF");
    }

    /** posix_spawn_file_actions_adddup2 refuses a number at or above the descriptor limit. */
    @Test
    void aChildDescriptorAboveTheLimitFailsWithEbadf() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            ErrnoException e = startFails(new ChildProcessBuilder("true").place(Integer.MAX_VALUE - 1, pair.second()));
            assertThat(e.errnoName()).isEqualTo("EBADF");
            assertThat(e.syscall()).isEqualTo("posix_spawn_file_actions_adddup2");
        }
    }

    @Test
    void aClosedChannelIsRefusedBeforeAnythingStarts() throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            ChildProcessBuilder builder = new ChildProcessBuilder("true").place(3, pair.second());
            pair.second().close();
            assertThatThrownBy(builder::start).isInstanceOf(ClosedChannelException.class);
            // Nothing stays held: the other end closes as usual.
            pair.first().close();
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnySystemCall() {
        assertThatThrownBy(() -> new ChildProcessBuilder(List.of()).start()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new ChildProcessBuilder("true", null).start()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ChildProcessBuilder("tr\0ue").start()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChildProcessBuilder("true").placeDescriptor(-1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChildProcessBuilder("true").placeDescriptor(0, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChildProcessBuilder("true").place(0, null)).isInstanceOf(NullPointerException.class);
        ChildProcessBuilder badName = new ChildProcessBuilder("true");
        badName.environment().put("A=B", "c");
        assertThatThrownBy(badName::start).isInstanceOf(IllegalArgumentException.class);
        ChildProcessBuilder nulValue = new ChildProcessBuilder("true");
        nulValue.environment().put("A", "b\0c");
        assertThatThrownBy(nulValue::start).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailedStartLeavesTheBuilderUsable() throws Exception {
        ChildProcessBuilder builder = new ChildProcessBuilder("true").directory(directory.resolve("missing"));
        childFailsToStart(builder);
        Files.createDirectory(directory.resolve("missing"));
        assertThat(builder.start().waitFor()).isZero();
    }

    /**
     * As {@link #startFails}, for a failure that happens in the child, after the fork: posix_spawn reports
     * it through memory the child shares with the parent.
     */
    private static ErrnoException childFailsToStart(ChildProcessBuilder builder) {
        Emulation.assumeNative(Emulation.SPAWN_ERRORS_LOST);
        return startFails(builder);
    }

    private static ErrnoException startFails(ChildProcessBuilder builder) {
        return catchThrowableOfType(ErrnoException.class, builder::start);
    }
}

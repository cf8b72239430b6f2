package dev.socketpair.internal;

import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The posix_spawn extensions some C libraries lack are looked up when first called: a missing one is
 * an answer (no handle, which the system call layer reports as ENOSYS), asked again without error, and
 * never a class that fails to initialise.
 */
class SpawnExtensionTest {

    private static final CLibrary C = Platform.current().library();

    @Test
    void aFunctionTheCLibraryLacksHasNoHandleEachTimeItIsAskedFor() {
        Downcalls.SpawnExtension missing = new Downcalls.SpawnExtension("posix_spawn_file_actions_addnothing_np",
                MethodType.methodType(int.class, MemorySegment.class, int.class));
        assertThat(missing.handle()).isNull();
        assertThat(missing.handle()).isNull();
    }

    @Test
    void closefromIsLinkedWhereTheCLibraryHasItAndRejectsANegativeNumberWithEbadf() throws Throwable {
        MethodHandle closefrom = Downcalls.SpawnExtension.ADD_CLOSEFROM.handle();
        assertThat(closefrom).as("glibc 2.34 or later has posix_spawn_file_actions_addclosefrom_np").isNotNull();
        assertThat(Downcalls.SpawnExtension.ADD_CLOSEFROM.handle()).isSameAs(closefrom);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(C.type("posix_spawn_file_actions_t"));
            assertThat(Syscalls.posix_spawn_file_actions_init(actions)).isZero();
            try {
                assertThat(Errno.name(-Syscalls.posix_spawn_file_actions_addclosefrom_np(actions, -1))).isEqualTo("EBADF");
                assertThat(Syscalls.posix_spawn_file_actions_addclosefrom_np(actions, 3)).isZero();
            } finally {
                Syscalls.posix_spawn_file_actions_destroy(actions);
            }
        }
    }
}

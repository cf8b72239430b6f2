package dev.socketpair;

import dev.socketpair.internal.platform.Platform;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Links the C library functions that tests call and the library never does (bind, prctl,
 * pthread_sigmask, strerrorname_np, read, write and pipe2 for pipes, and syscall for perf_event_open):
 * the only test code that builds a downcall handle. What the library itself calls, tests call through its internal layer.
 */
@SuppressWarnings("restricted")
final class NativeFunctions {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup C_LIBRARY =
            SymbolLookup.libraryLookup(Platform.current().library().abi().libraryName(), Arena.global());

    private NativeFunctions() {
    }

    /**
     * The C library's {@code name}, with the signature {@code descriptor}, looked up by the C library's
     * name on this system, as the library looks up its own: the process has it loaded already, so that
     * a test at its descriptor limit can still link.
     *
     * @throws java.util.NoSuchElementException if the C library has no such function
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(C_LIBRARY.find(name).orElseThrow(), descriptor, options);
    }
}

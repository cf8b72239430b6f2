package dev.socketpair;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Links the C library functions that tests call and the library never does (bind, prctl,
 * pthread_sigmask, strerrorname_np): the only test code that builds a downcall handle. What the library
 * itself calls, tests call through its internal layer.
 */
@SuppressWarnings("restricted")
final class NativeFunctions {

    private static final Linker LINKER = Linker.nativeLinker();

    private NativeFunctions() {
    }

    /**
     * The C library's {@code name}, with the signature {@code descriptor}.
     *
     * @throws java.util.NoSuchElementException if the C library has no such function
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, options);
    }
}

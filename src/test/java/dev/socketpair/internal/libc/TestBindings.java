package dev.socketpair.internal.libc;

import dev.socketpair.internal.platform.Platform;

import java.lang.reflect.InvocationTargetException;

/**
 * The constants that tests use and the library does not (address families and socket types that
 * socketpair(2) refuses, pipe2's {@code O_CLOEXEC}), read from the running ABI's {@code TestLibc}: jextract's
 * output for {@code jextract-config/<abi>/test.args}, generated into the test sources beside the
 * package of the library's own bindings, so that those hold only what the library reads.
 */
public final class TestBindings {

    private TestBindings() {
    }

    /**
     * Returns the named constant of the running ABI.
     *
     * @throws IllegalStateException if that ABI's test.args does not include it
     */
    public static int constant(String name) {
        Class<?> header = Header.CLASS;
        try {
            Object value = header.getMethod(name).invoke(null);
            return value instanceof Long wide ? Math.toIntExact(wide) : (Integer) value;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(header.getName() + " has no constant " + name + ": include it in test.args", e);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("generated constant " + name + " is not readable", e);
        }
    }

    /** Found when first needed: after the first open has chosen the platform. */
    private static final class Header {
        static final Class<?> CLASS = load();

        private static Class<?> load() {
            String name = Platform.current().library().abi().packageName() + ".TestLibc";
            try {
                return Class.forName(name);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("no constants for tests on this system: " + name
                        + " is generated only for the ABIs with a jextract-config/<abi>/test.args", e);
            }
        }
    }
}

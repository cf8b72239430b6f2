package dev.socketpair.internal.platform;

import java.lang.foreign.Linker;
import java.util.List;
import java.util.Locale;

/**
 * Decides, once, whether the bindings the library carries match the system it runs on: the operating
 * system and architecture the JVM reports, and on Linux the C library (glibc defines
 * {@code gnu_get_libc_version}, musl does not). Constants and struct layouts differ between these
 * systems, so on any other one the library refuses to open anything rather than pass it wrong numbers.
 */
public final class Platforms {

    /** The systems whose bindings the library carries, as messages name them. */
    public static final List<String> SUPPORTED = List.of("Linux x86-64 (glibc)");

    private Platforms() {
    }

    /**
     * Throws unless the library supports the system it runs on; the first call decides, with no system
     * call that can fail.
     *
     * @throws UnsupportedOperationException naming the system and the supported ones
     */
    public static void requireSupported() {
        String refusal = Decision.REFUSAL;
        if (refusal != null) {
            throw new UnsupportedOperationException(refusal);
        }
    }

    /** Decided when first asked; a symbol lookup in the process's own namespace cannot fail. */
    private static final class Decision {
        static final String REFUSAL = refusal(System.getProperty("os.name", "?"),
                System.getProperty("os.arch", "?"), isGlibc());

        private static boolean isGlibc() {
            return Linker.nativeLinker().defaultLookup().find("gnu_get_libc_version").isPresent();
        }
    }

    /**
     * Why the library cannot run on a system, or null if it can.
     *
     * @param osName the {@code os.name} property
     * @param osArch the {@code os.arch} property
     * @param glibc  whether the C library is glibc
     */
    static String refusal(String osName, String osArch, boolean glibc) {
        String os = osName.toLowerCase(Locale.ROOT);
        boolean x86 = osArch.equals("amd64") || osArch.equals("x86_64");
        if (os.equals("linux") && x86 && glibc) {
            return null;
        }
        String system = osName + " " + osArch + (os.equals("linux") ? (glibc ? " (glibc)" : " (not glibc)") : "");
        return "socketpair for Java has no bindings for " + system + "; it supports " + String.join(", ", SUPPORTED);
    }
}

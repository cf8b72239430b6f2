package dev.socketpair.internal.platform;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses, once, the {@link Platform} of the running system: the operating system and architecture the
 * JVM reports and, on Linux, the C library (glibc, whose {@code libc.so.6} defines
 * {@code gnu_get_libc_version}, or musl). Constants and struct layouts differ between systems, so on a
 * system it has no bindings for the library refuses to open anything rather than pass it wrong numbers.
 *
 * <p>The choice looks up the C library the process has loaded, which opens no file; a choice that
 * fails throws and is made again by the next call. Safe for use by multiple threads.
 */
@SuppressWarnings("restricted")
public final class Platforms {

    /** The systems whose bindings the library carries, as messages name them. */
    public static final List<String> SUPPORTED = supported();

    private static volatile Platform current;

    private Platforms() {
    }

    // A loop rather than a stream: each lambda is a class the JVM makes at run time, and this runs
    // before a process's first open.
    private static List<String> supported() {
        List<String> descriptions = new ArrayList<>();
        for (Abi abi : Abi.values()) {
            descriptions.add(abi.description());
        }
        return List.copyOf(descriptions);
    }

    /**
     * Throws unless the library supports the system it runs on.
     *
     * @throws UnsupportedOperationException naming the system and the supported ones
     */
    public static void requireSupported() {
        current();
    }

    /** {@return whether the library supports the system it runs on} */
    public static boolean isSupported() {
        try {
            current();
            return true;
        } catch (UnsupportedOperationException unsupported) {
            return false;
        }
    }

    /** The running system's platform. @throws UnsupportedOperationException if it has none */
    static Platform current() {
        Platform platform = current;
        if (platform == null) {
            synchronized (Platforms.class) {
                platform = current;
                if (platform == null) {
                    platform = choose();
                    current = platform;
                }
            }
        }
        return platform;
    }

    private static Platform choose() {
        String osName = System.getProperty("os.name", "?");
        String osArch = System.getProperty("os.arch", "?");
        LinuxCLibrary libc = isLinux(osName) ? linuxCLibrary(osArch) : null;
        Abi abi = abiOf(osName, osArch, libc);
        if (abi == null) {
            throw new UnsupportedOperationException(refusal(osName, osArch, libc));
        }
        return platformOf(abi.library());
    }

    /** The implementation for an ABI's operating system. */
    static Platform platformOf(CLibrary library) {
        return switch (library.abi().os()) {
            case LINUX -> new LinuxPlatform(library);
            case FREEBSD -> new FreeBsdPlatform(library);
            case DRAGONFLY -> new DragonFlyPlatform(library);
            case MACOS -> new MacOsPlatform(library);
        };
    }

    /** The C libraries of Linux the library has bindings for. */
    enum LinuxCLibrary {
        GLIBC, MUSL
    }

    /**
     * The ABI of a system, or null if the library has none for it.
     *
     * @param osName the {@code os.name} property
     * @param osArch the {@code os.arch} property
     * @param libc   on Linux, the C library, or null if it is neither glibc nor musl
     */
    static Abi abiOf(String osName, String osArch, LinuxCLibrary libc) {
        boolean x86 = osArch.equals("amd64") || osArch.equals("x86_64");
        boolean arm = osArch.equals("aarch64") || osArch.equals("arm64");
        String os = osName.toLowerCase(Locale.ROOT);
        if (isLinux(osName) && libc != null && (x86 || arm)) {
            return libc == LinuxCLibrary.GLIBC ? (x86 ? Abi.LINUX_X86_64 : Abi.LINUX_AARCH64)
                    : (x86 ? Abi.LINUX_MUSL_X86_64 : Abi.LINUX_MUSL_AARCH64);
        }
        if (os.equals("freebsd") && (x86 || arm)) {
            return Abi.FREEBSD;
        }
        if (os.equals("dragonfly") && x86) {
            return Abi.DRAGONFLY;
        }
        if (os.startsWith("mac os x") && (x86 || arm)) {
            return Abi.MACOS;
        }
        return null;
    }

    /** Why the library cannot run on a system it has no ABI for; the arguments as {@link #abiOf}'s. */
    static String refusal(String osName, String osArch, LinuxCLibrary libc) {
        String system = osName + " " + osArch + (isLinux(osName)
                ? " (" + (libc == null ? "neither glibc nor musl" : libc.name().toLowerCase(Locale.ROOT)) + ")" : "");
        return "socketpair for Java has no bindings for " + system + "; it supports " + String.join(", ", SUPPORTED);
    }

    private static boolean isLinux(String osName) {
        return osName.toLowerCase(Locale.ROOT).equals("linux");
    }

    /**
     * The process's C library on Linux: glibc if {@code libc.so.6} is loaded and defines
     * {@code gnu_get_libc_version}, musl if the dynamic linker answers to musl's name (musl's does for
     * any {@code libc.} name, without opening a file), null otherwise.
     */
    private static LinuxCLibrary linuxCLibrary(String osArch) {
        if (loads(Abi.LINUX_X86_64.libraryName(), "gnu_get_libc_version")) {
            return LinuxCLibrary.GLIBC;
        }
        String musl = osArch.equals("aarch64") || osArch.equals("arm64")
                ? Abi.LINUX_MUSL_AARCH64.libraryName() : Abi.LINUX_MUSL_X86_64.libraryName();
        return loads(musl, "socketpair") ? LinuxCLibrary.MUSL : null;
    }

    private static boolean loads(String library, String symbol) {
        try {
            return SymbolLookup.libraryLookup(library, Arena.global()).find(symbol).isPresent();
        } catch (IllegalArgumentException notLoadable) {
            return false;
        }
    }
}

package dev.socketpair.internal.platform;

/**
 * The binary interfaces the library carries bindings for: one generated package each, under
 * {@code dev.socketpair.internal.libc}, from the directory of the same name in {@code jextract-config/}.
 *
 * <p>An ABI is a C library on an operating system and the architectures it is the same on: FreeBSD's
 * and macOS's headers give the same bindings on x86-64 and aarch64, Linux's do not ({@code struct
 * epoll_event} is packed on x86-64 only) and musl's differ from glibc's in field widths.
 */
public enum Abi {
    /** Linux on x86-64 with glibc. */
    LINUX_X86_64("linux_x86_64", OsFamily.LINUX, "Linux x86-64 (glibc)", "libc.so.6"),
    /** Linux on aarch64 with glibc. */
    LINUX_AARCH64("linux_aarch64", OsFamily.LINUX, "Linux aarch64 (glibc)", "libc.so.6"),
    /** Linux on x86-64 with musl. */
    LINUX_MUSL_X86_64("linux_musl_x86_64", OsFamily.LINUX, "Linux x86-64 (musl)", "libc.musl-x86_64.so.1"),
    /** Linux on aarch64 with musl. */
    LINUX_MUSL_AARCH64("linux_musl_aarch64", OsFamily.LINUX, "Linux aarch64 (musl)", "libc.musl-aarch64.so.1"),
    /** FreeBSD 14 and later, x86-64 and aarch64. */
    FREEBSD("freebsd", OsFamily.FREEBSD, "FreeBSD x86-64, aarch64", "libc.so.7"),
    /** DragonFly BSD, x86-64. */
    DRAGONFLY("dragonfly", OsFamily.DRAGONFLY, "DragonFly x86-64", "libc.so.8"),
    /** macOS 11 and later, x86-64 and arm64. */
    MACOS("macos", OsFamily.MACOS, "macOS x86-64, aarch64", "/usr/lib/libSystem.B.dylib");

    /** The operating systems, each with one {@link Platform} implementation. */
    public enum OsFamily {
        /** Linux: epoll, SCM_CREDENTIALS, every atomic flag. */
        LINUX,
        /** FreeBSD: kqueue, LOCAL_PEERCRED with the peer's pid. */
        FREEBSD,
        /** DragonFly BSD: kqueue, LOCAL_PEERCRED without the peer's pid. */
        DRAGONFLY,
        /** macOS: kqueue, LOCAL_PEERCRED and LOCAL_PEERPID, no atomic descriptor flags. */
        MACOS
    }

    private final String directory;
    private final OsFamily os;
    private final String description;
    private final String libraryName;

    Abi(String directory, OsFamily os, String description, String libraryName) {
        this.directory = directory;
        this.os = os;
        this.description = description;
        this.libraryName = libraryName;
    }

    /**
     * {@return the C library's name for the dynamic linker}: its soname on Linux and the BSDs (musl
     * answers to its Alpine name as to any name starting with {@code libc.}), the path of libSystem on
     * macOS. The process has it loaded, so looking it up opens no file.
     */
    public String libraryName() {
        return libraryName;
    }

    /** {@return the bindings of this ABI, read without initialising any generated class} */
    public CLibrary library() {
        return CLibrary.of(this);
    }

    /** {@return the package jextract generated for this ABI} */
    public String packageName() {
        return "dev.socketpair.internal.libc." + directory;
    }

    /** {@return the operating system} */
    public OsFamily os() {
        return os;
    }

    /** {@return the system and architectures, as messages name them} */
    public String description() {
        return description;
    }
}

package dev.socketpair.internal.platform;

import dev.socketpair.internal.platform.Platforms.LinuxCLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class PlatformsTest {

    private static final String SUPPORTED = "Linux x86-64 (glibc), Linux aarch64 (glibc), Linux x86-64 (musl), "
            + "Linux aarch64 (musl), FreeBSD x86-64, aarch64, DragonFly x86-64, macOS x86-64, aarch64";

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(nullValues = "-", value = {
            "Linux, amd64, GLIBC, LINUX_X86_64",
            "Linux, aarch64, GLIBC, LINUX_AARCH64",
            "Linux, amd64, MUSL, LINUX_MUSL_X86_64",
            "Linux, aarch64, MUSL, LINUX_MUSL_AARCH64",
            "FreeBSD, amd64, -, FREEBSD",
            "FreeBSD, aarch64, -, FREEBSD",
            "DragonFly, amd64, -, DRAGONFLY",
            "Mac OS X, aarch64, -, MACOS",
            "Mac OS X, x86_64, -, MACOS"})
    void eachSupportedSystemGetsTheBindingsOfItsAbi(String os, String arch, LinuxCLibrary libc, Abi abi) {
        assertThat(Platforms.abiOf(os, arch, libc)).isEqualTo(abi);
    }

    @Test
    void thisMachineIsSupportedWithTheBindingsOfItsOwnCLibrary() {
        assertThatCode(Platforms::requireSupported).doesNotThrowAnyException();
        Platform platform = Platform.current();
        assertThat(platform.library().abi().os()).isEqualTo(Abi.OsFamily.LINUX);
        assertThat(platform.library().function("socketpair")).isPresent();
        assertThat(Platform.current()).isSameAs(platform);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(nullValues = "-", value = {
            "Linux, riscv64, GLIBC, Linux riscv64 (glibc)",
            "Linux, amd64, -, Linux amd64 (neither glibc nor musl)",
            "DragonFly, aarch64, -, DragonFly aarch64",
            "OpenBSD, amd64, -, OpenBSD amd64",
            "Windows 11, amd64, -, Windows 11 amd64"})
    void everyOtherSystemIsRefusedByName(String os, String arch, LinuxCLibrary libc, String named) {
        assertThat(Platforms.abiOf(os, arch, libc)).isNull();
        assertThat(Platforms.refusal(os, arch, libc))
                .isEqualTo("socketpair for Java has no bindings for " + named + "; it supports " + SUPPORTED);
    }
}

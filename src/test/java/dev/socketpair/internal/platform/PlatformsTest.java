package dev.socketpair.internal.platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class PlatformsTest {

    @Test
    void linuxX8664WithGlibcIsSupported() {
        assertThat(Platforms.refusal("Linux", "amd64", true)).isNull();
    }

    @Test
    void thisMachineIsSupported() {
        assertThatCode(Platforms::requireSupported).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} {1} glibc={2}")
    @CsvSource({
            "Mac OS X, aarch64, false, Mac OS X aarch64",
            "Mac OS X, x86_64, false, Mac OS X x86_64",
            "FreeBSD, amd64, false, FreeBSD amd64",
            "DragonFly, amd64, false, DragonFly amd64",
            "Linux, aarch64, true, Linux aarch64 (glibc)",
            "Linux, amd64, false, Linux amd64 (not glibc)",
            "Windows 11, amd64, false, Windows 11 amd64"})
    void everyOtherSystemIsRefusedByName(String os, String arch, boolean glibc, String named) {
        assertThat(Platforms.refusal(os, arch, glibc))
                .isEqualTo("socketpair for Java has no bindings for " + named + "; it supports Linux x86-64 (glibc)");
    }
}

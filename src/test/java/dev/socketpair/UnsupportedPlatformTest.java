package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a system the bindings do not match, every way into the library fails at once with one clear
 * message, before any system call: never wrong constants passed to the kernel.
 */
class UnsupportedPlatformTest {

    @Test
    @Timeout(60)
    void everyEntryRefusesASystemWithoutBindingsAndOpensNothing() throws Exception {
        String output = ProbeJvm.run(UnsupportedPlatformProbe.class, List.of("-Dos.arch=riscv64"), List.of(), 60);
        String refusal = "refused: socketpair for Java has no bindings for Linux riscv64 (glibc); "
                + "it supports Linux x86-64 (glibc), Linux aarch64 (glibc), Linux x86-64 (musl), Linux aarch64 (musl), "
                + "FreeBSD x86-64, aarch64, DragonFly x86-64, macOS x86-64, aarch64";
        assertThat(output.lines().filter(line -> !line.startsWith("WARNING"))).containsExactly(
                refusal, refusal, refusal, refusal, "AF_UNIX: -1", "descriptors left: []");
    }
}

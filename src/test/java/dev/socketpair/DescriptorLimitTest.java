package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * EMFILE, provoked in a child JVM started with a descriptor limit of 128: from socketpair(2), and from
 * eventfd(2) when a blocking read must wait and needs its wake-up descriptor.
 */
class DescriptorLimitTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void socketpairFailsWithEmfileAtTheDescriptorLimitAndOpenPairsStillWork() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of("/bin/sh", "-c", "ulimit -n 128 && exec \"$0\" \"$@\"",
                java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), DescriptorLimitProbe.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();

        assertThat(output).contains("failure socketpair: EMFILE (Too many open files)");
        int opened = Integer.parseInt(output.lines().filter(l -> l.startsWith("opened ")).findFirst()
                .orElseThrow().substring("opened ".length()));
        // Two descriptors a pair, below a limit of 128 with the JVM's own files open.
        assertThat(opened).isBetween(20, 63);
        assertThat(output).contains("first pair carries 42");
        assertThat(output).contains("waiting read eventfd: EMFILE (Too many open files)");
        assertThat(output).contains("after closing one, open succeeds: true");
        assertThat(output).doesNotContain("WARNING");
    }
}

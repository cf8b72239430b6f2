package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** EMFILE, provoked in a child JVM started with a descriptor limit of 128. */
class DescriptorLimitTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void socketpairFailsWithEmfileAtTheDescriptorLimitAndOpenPairsStillWork() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of("/bin/sh", "-c", "ulimit -n 128 && exec \"$0\" \"$@\"",
                java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), DescriptorLimitProbe.class.getName());
        Path log = Files.createTempFile("emfile-probe", ".log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = child.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertThat(exited).as("probe finished: %s", output).isTrue();
        assertThat(child.exitValue()).as(output).isZero();

        assertThat(output).contains("failure socketpair: EMFILE (Too many open files)");
        int opened = Integer.parseInt(output.lines().filter(l -> l.startsWith("opened ")).findFirst()
                .orElseThrow().substring("opened ".length()));
        // Two descriptors a pair, below a limit of 128 with the JVM's own files open.
        assertThat(opened).isBetween(20, 63);
        assertThat(output).contains("first pair carries 42");
        assertThat(output).contains("after closing one, open succeeds: true");
        assertThat(output).doesNotContain("WARNING");
    }
}

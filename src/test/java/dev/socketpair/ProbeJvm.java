package dev.socketpair;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a probe (a class with a main method in the test sources) in a child JVM on the test class path,
 * with native access enabled, for what a test cannot do to its own JVM: lower its descriptor limit,
 * fix its scheduler, record it with JFR.
 */
final class ProbeJvm {

    private ProbeJvm() {
    }

    /**
     * Runs {@code probe} with the JVM {@code options} and the program {@code args}, and checks that it
     * exits with status 0 within {@code timeoutSeconds} (times the timeout factor, see {@link ScaledTimeouts}).
     *
     * @return everything the probe printed, standard error included
     */
    static String run(Class<?> probe, List<String> options, List<String> args, long timeoutSeconds)
            throws IOException, InterruptedException {
        return run(List.of(), probe, options, args, timeoutSeconds);
    }

    /** As {@link #run}, with the probe's descriptor limit ({@code ulimit -n}) set to {@code limit}. */
    static String runWithDescriptorLimit(int limit, Class<?> probe, List<String> options, List<String> args,
                                         long timeoutSeconds) throws IOException, InterruptedException {
        return run(List.of("/bin/sh", "-c", "ulimit -n " + limit + " && exec \"$0\" \"$@\""), probe, options, args,
                timeoutSeconds);
    }

    private static String run(List<String> launcher, Class<?> probe, List<String> options, List<String> args,
                              long timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher);
        command.add(Emulation.jdkCommand("java"));
        command.addAll(options);
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                probe.getName()));
        command.addAll(args);
        Path log = Files.createTempFile(probe.getSimpleName(), ".log");
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean exited = child.waitFor(ScaledTimeouts.scaled(Duration.ofSeconds(timeoutSeconds)).toNanos(),
                    TimeUnit.NANOSECONDS);
            if (!exited) {
                child.destroyForcibly().waitFor();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(exited).as("probe finished: %s", output).isTrue();
            assertThat(child.exitValue()).as(output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}

package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged module as users meet it: linked into a jlink image with the demo, and run as a plain
 * jar with {@code java -jar}. Run by failsafe after the jar is built.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JlinkImageIT {

    private static final Path JAR = Path.of(System.getProperty("socketpair.jar", "target/socketpair.jar"));
    private static final Path IMAGE = Path.of(System.getProperty("socketpair.imageDir", "target/image"));

    @Test
    void jlinkImageHoldingTheModuleRunsTheDemoWithoutWarnings() throws Exception {
        deleteRecursively(IMAGE);
        ToolProvider jlink = ToolProvider.findFirst("jlink").orElseThrow();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
        int rc = jlink.run(logStream, logStream,
                "--module-path", JAR.toString(),
                "--add-modules", "dev.socketpair",
                "--launcher", "socketpair-demo=dev.socketpair/dev.socketpair.demo.Demo",
                "--add-options=--enable-native-access=dev.socketpair",
                "--strip-debug", "--no-header-files", "--no-man-pages",
                "--output", IMAGE.toString());
        assertThat(rc).as(log.toString(StandardCharsets.UTF_8)).isZero();

        Result modules = run(IMAGE.resolve("bin/java").toString(), "--list-modules");
        assertThat(modules.stdout()).contains("dev.socketpair").contains("java.base");

        Result demo = run(IMAGE.resolve("bin/socketpair-demo").toString());
        assertDemoOutput(demo);
    }

    @Test
    void javaDashJarRunsTheDemoWithoutWarnings() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertDemoOutput(run(java, "-jar", JAR.toString()));
    }

    @Test
    void modulePathLaunchRunsTheDemoWithoutWarnings() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertDemoOutput(run(java, "--enable-native-access=dev.socketpair", "--module-path", JAR.toString(),
                "--module", "dev.socketpair/dev.socketpair.demo.Demo"));
    }

    private static void assertDemoOutput(Result result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stderr()).as("stderr").isEmpty();
        assertThat(result.stdout())
                .contains("STREAM    first -> second: \"ping\" (4 bytes)   second -> first: \"pong\" (4 bytes)")
                .contains("DGRAM     first -> second: \"ping\" (4 bytes)")
                .contains("SEQPACKET first -> second: \"ping\" (4 bytes)")
                .containsPattern("open\\(STREAM\\) +O_NONBLOCK=no +FD_CLOEXEC=yes")
                .containsPattern("open\\(SEQPACKET, NONBLOCK, CLOEXEC\\) +O_NONBLOCK=yes +FD_CLOEXEC=yes")
                .contains("ErrnoException: socketpair: EOPNOTSUPP (Operation not supported)")
                .contains("ErrnoException: socketpair: EPROTONOSUPPORT (Protocol not supported)")
                .contains("ErrnoException: send: EPIPE (Broken pipe)")
                .containsPattern("cat \\(pid \\d+\\) echoed \"hello, child\", exit status 0")
                .contains("1 descriptor received, close-on-exec yes; written through it: \"through\" (7 bytes)")
                .containsPattern("peer credentials \\(SO_PEERCRED\\): pid \\d+ \\(this process: yes\\)")
                .contains("ErrnoException: posix_spawnp: ENOENT (No such file or directory): program \"no-such-program\"")
                .doesNotContain("WARNING");
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("socketpair-it", ".out");
        Path err = Files.createTempFile("socketpair-it", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path p : paths) {
            Files.delete(p);
        }
    }
}

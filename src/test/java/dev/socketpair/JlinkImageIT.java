package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged modules as users meet them: the library linked into a jlink image with the demo's module,
 * the demo run from its jar with {@code java -jar} and from the module path, and the jars published
 * beside them. Run by failsafe after the jars are built.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JlinkImageIT {

    private static final Path JAR = Path.of(System.getProperty("socketpair.jar", "target/socketpair.jar"));
    private static final Path DEMO_JAR = Path.of(System.getProperty("socketpair.demoJar", "target/socketpair-demo.jar"));
    private static final Path SOURCES_JAR = Path.of(System.getProperty("socketpair.sourcesJar", "target/socketpair-sources.jar"));
    private static final Path JAVADOC_JAR = Path.of(System.getProperty("socketpair.javadocJar", "target/socketpair-javadoc.jar"));
    private static final String MODULE_PATH = JAR + File.pathSeparator + DEMO_JAR;
    private static final Path IMAGE = Path.of(System.getProperty("socketpair.imageDir", "target/image"));

    @Test
    void jlinkImageHoldingTheModuleRunsTheDemoWithoutWarnings() throws Exception {
        deleteRecursively(IMAGE);
        ToolProvider jlink = ToolProvider.findFirst("jlink").orElseThrow();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
        int rc = jlink.run(logStream, logStream,
                "--module-path", MODULE_PATH,
                "--add-modules", "dev.socketpair.demo",
                "--launcher", "socketpair-demo=dev.socketpair.demo/dev.socketpair.demo.Demo",
                "--add-options=--enable-native-access=dev.socketpair",
                "--strip-debug", "--no-header-files", "--no-man-pages",
                "--output", IMAGE.toString());
        assertThat(rc).as(log.toString(StandardCharsets.UTF_8)).isZero();

        Result modules = run(IMAGE.resolve("bin/java").toString(), "--list-modules");
        assertThat(modules.stdout()).contains("dev.socketpair@").contains("dev.socketpair.demo@").contains("java.base");

        Result demo = run(IMAGE.resolve("bin/socketpair-demo").toString());
        assertDemoOutput(demo);
    }

    @Test
    void javaDashJarRunsTheDemoWithoutWarnings() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertDemoOutput(run(java, "-jar", DEMO_JAR.toString()));
    }

    @Test
    void modulePathLaunchRunsTheDemoWithoutWarnings() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertDemoOutput(run(java, "--enable-native-access=dev.socketpair", "--module-path", MODULE_PATH,
                "--module", "dev.socketpair.demo"));
    }

    @Test
    void libraryJarHoldsTheModuleWithoutTheDemoOrAMainClass() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Enable-Native-Access")).isEqualTo("ALL-UNNAMED");
            assertThat(manifest.getValue(Attributes.Name.MAIN_CLASS)).isNull();
            assertThat(entryNames(jar))
                    .contains("module-info.class", "META-INF/LICENSE", "dev/socketpair/SocketPair.class")
                    .noneMatch(name -> name.startsWith("dev/socketpair/demo/"));
        }
        ModuleDescriptor library = ModuleFinder.of(JAR).find("dev.socketpair").orElseThrow().descriptor();
        assertThat(library.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("dev.socketpair");
        assertThat(library.mainClass()).isEmpty();
    }

    @Test
    void demoJarIsAModuleOfItsOwnReadingTheLibrary() throws IOException {
        try (JarFile jar = new JarFile(DEMO_JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS))
                    .isEqualTo("dev.socketpair.demo.Demo");
            assertThat(entryNames(jar)).contains("module-info.class", "dev/socketpair/demo/Demo.class")
                    .filteredOn(name -> name.endsWith(".class") && !name.equals("module-info.class"))
                    .allMatch(name -> name.startsWith("dev/socketpair/demo/"));
        }
        ModuleDescriptor demo = ModuleFinder.of(DEMO_JAR).find("dev.socketpair.demo").orElseThrow().descriptor();
        assertThat(demo.requires()).extracting(ModuleDescriptor.Requires::name).contains("dev.socketpair");
        assertThat(demo.mainClass()).contains("dev.socketpair.demo.Demo");
    }

    @Test
    void sourcesAndJavadocJarsCoverTheExportedPackageOnly() throws IOException {
        try (JarFile sources = new JarFile(SOURCES_JAR.toFile())) {
            assertThat(entryNames(sources)).contains("module-info.java", "dev/socketpair/SocketPair.java")
                    .noneMatch(name -> name.startsWith("dev/socketpair/demo/"));
        }
        try (JarFile javadoc = new JarFile(JAVADOC_JAR.toFile())) {
            assertThat(entryNames(javadoc))
                    .anyMatch(name -> name.endsWith("dev/socketpair/SocketPair.html"))
                    .noneMatch(name -> name.contains("dev/socketpair/internal"));
        }
    }

    private static List<String> entryNames(JarFile jar) {
        return jar.stream().map(JarEntry::getName).toList();
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
                .contains("ErrnoException: socketpair: EAFNOSUPPORT (Address family not supported by protocol)")
                .contains("ErrnoException: socketpair: EPROTONOSUPPORT (Protocol not supported)")
                .contains("ErrnoException: Broken pipe")
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

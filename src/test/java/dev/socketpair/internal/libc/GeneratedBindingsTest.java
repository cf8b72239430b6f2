package dev.socketpair.internal.libc;

import dev.socketpair.Emulation;
import dev.socketpair.internal.platform.ForeignAbiJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The generated bindings of every ABI, checked as far as this machine can: each package's constants and
 * layouts can be read here without linking a single function, each symbol it looks up is the name of a
 * function it binds, each name it binds is one the library reads, and for the Linux ABIs whose headers
 * Debian packages (clang-14, libc6-dev-arm64-cross, linux-libc-dev-arm64-cross, musl-dev) they are what
 * the target's C compiler computes, through jextract-config/check-layouts.
 *
 * <p>Where that compiler or those headers are missing, the C checks are skipped, saying what is missing;
 * with {@code -Dsocketpair.layoutCheck=required} (as .ci/check-layouts runs them) they fail instead.
 */
class GeneratedBindingsTest {

    private static final Path KIT = Path.of("jextract-config").toAbsolutePath();

    /** How the generated code looks a function's symbol up. */
    private static final Pattern LOOKUP = Pattern.compile("findOrThrow\\(\"([^\"]*)\"\\)");

    /** An option of libc.args that binds a name: its kind and the name. */
    private static final Pattern INCLUDE = Pattern.compile("--include-(function|constant|struct|union|typedef) (\\w+)");

    /** The library's hand-written sources: everything under src/main/java but the generated packages. */
    private static final Path LIBRARY_SOURCES = Path.of("src/main/java").toAbsolutePath();

    /** A string literal of Java (its content as group 1) or a comment, whichever starts first. */
    private static final Pattern TOKEN = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"|/\\*.*?\\*/|//[^\\n]*",
            Pattern.DOTALL);

    /** check-layouts' exit status when a prerequisite is missing, rather than an assertion failing. */
    private static final int CANNOT_CHECK = 3;

    static Stream<String> abis() throws IOException {
        try (Stream<Path> entries = Files.list(KIT)) {
            return entries.filter(dir -> Files.isRegularFile(dir.resolve("libc.args")))
                    .map(dir -> dir.getFileName().toString())
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("abis")
    void everyIncludedConstantAndTypeOfEachAbiIsReadWithoutLinkingAFunction(String abi) throws Exception {
        String c = layoutAssertions(abi);

        for (String args : List.of("libc.args", "errno.args", "test.args")) {
            Path options = KIT.resolve(abi).resolve(args);
            if (!Files.exists(options)) {
                continue;
            }
            for (String line : Files.readAllLines(options)) {
                if (line.startsWith("--include-constant ")) {
                    String name = line.substring("--include-constant ".length());
                    assertThat(c).contains("_Static_assert(sizeof(" + name + ") == ");
                }
                if (line.startsWith("--include-struct ")) {
                    assertThat(c).contains("_Static_assert(sizeof(struct " + line.substring("--include-struct ".length()) + ") == ");
                }
            }
        }
        assertThat(c).contains("CMSG_SPACE(4) == ", "CMSG_DATA((struct cmsghdr *) 0) == ");
    }

    @ParameterizedTest
    @MethodSource("abis")
    void everySymbolEachAbiLooksUpIsTheNameOfAnIncludedFunction(String abi) throws IOException {
        List<String> functions = Files.readAllLines(KIT.resolve(abi).resolve("libc.args")).stream()
                .filter(line -> line.startsWith("--include-function "))
                .map(line -> line.substring("--include-function ".length()))
                .toList();
        Path header = sources(generatedPackage(abi)).resolve("Libc.java");

        List<String> lookedUp = LOOKUP.matcher(Files.readString(header)).results().map(m -> m.group(1)).toList();

        assertThat(lookedUp).containsExactlyInAnyOrderElementsOf(functions);
    }

    /**
     * The library reads what is bound by its C name, in a string ({@code C.constant("SOL_SOCKET")},
     * {@code capturingErrno("recvmsg", ...)}), so a name its hand-written sources never write is bound for
     * nothing. A struct, union or typedef may instead be there because the generated code of another
     * binding refers to it ({@code epoll_data} in {@code epoll_event}'s layout, {@code __SOCKADDR_ARG} in
     * getsockname's descriptor).
     */
    @ParameterizedTest
    @MethodSource("abis")
    void everyNameEachAbiBindsIsReadByTheLibraryOrByTheGeneratedCodeOfAnotherBinding(String abi) throws IOException {
        Set<String> named = stringsOf(LIBRARY_SOURCES);
        Path generated = sources(generatedPackage(abi));

        List<String> unused = new ArrayList<>();
        for (String line : Files.readAllLines(KIT.resolve(abi).resolve("libc.args"))) {
            Matcher include = INCLUDE.matcher(line);
            if (!include.matches() || named.contains(include.group(2))) {
                continue;
            }
            boolean type = !include.group(1).equals("function") && !include.group(1).equals("constant");
            if (!type || !referredToByOtherGeneratedCode(generated, include.group(2))) {
                unused.add(line);
            }
        }

        assertThat(unused).as("bound in %s/libc.args, read by no code of the library", abi).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux_x86_64", "linux_aarch64", "linux_musl_x86_64"})
    @Timeout(180)
    void linuxBindingsAreWhatTheTargetsCCompilerComputes(String abi) throws Exception {
        CheckRun run = checkLayouts(KIT, abi);

        assertThat(run.exitStatus()).as(run.output()).isZero();
        assertThat(run.output()).contains("check-layouts: " + abi + " (", " assertions hold");
    }

    @Test
    @Timeout(180)
    void checkRejectsBindingsGeneratedForAnotherTarget(@TempDir Path root) throws Exception {
        // linux_x86_64's bindings against linux_aarch64's headers: epoll_event is packed only on x86-64.
        Path kit = Files.createDirectory(root.resolve("jextract-config"));
        for (String script : List.of("check-layouts", "abi.bash")) {
            Files.copy(KIT.resolve(script), kit.resolve(script));
        }
        Path sources = root.resolve(Path.of("src/main/java", generatedPackage("linux_x86_64").replace('.', '/')));
        Files.createDirectories(sources.getParent());
        Files.createSymbolicLink(sources, sources(generatedPackage("linux_x86_64")));
        Path impostor = Files.createDirectory(kit.resolve("linux_aarch64"));
        for (String file : List.of("compile_flags.txt", "socketpair.h")) {
            Files.copy(KIT.resolve("linux_aarch64").resolve(file), impostor.resolve(file));
        }
        for (String file : List.of("libc.args", "errno.args")) {
            Files.copy(KIT.resolve("linux_x86_64").resolve(file), impostor.resolve(file));
        }

        CheckRun run = checkLayouts(kit, "linux_aarch64");

        assertThat(run.exitStatus()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("the C compiler disagrees with the bindings", "sizeof(struct epoll_event)")
                .doesNotContain("symbols");
    }

    /** LayoutAssertions' C for {@code abi}, from a JVM that can read every ABI's bindings. */
    private static String layoutAssertions(String abi) throws Exception {
        return ForeignAbiJvm.run(LayoutAssertions.class, List.of(KIT.resolve(abi).toString())).lines()
                .filter(line -> !line.startsWith("WARNING"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private static Path sources(String generatedPackage) {
        return Path.of("src/main/java", generatedPackage.replace('.', '/')).toAbsolutePath();
    }

    /** The package jextract generates for {@code abi}, as its libc.args names it. */
    private static String generatedPackage(String abi) throws IOException {
        return Files.readAllLines(KIT.resolve(abi).resolve("libc.args")).stream()
                .filter(line -> line.startsWith("--target-package "))
                .map(line -> line.substring("--target-package ".length()))
                .findFirst()
                .orElseThrow();
    }

    private record CheckRun(int exitStatus, String output) {
    }

    /** Runs {@code kit/check-layouts abi} on this JDK with the classes of this test run. */
    private static CheckRun checkLayouts(Path kit, String abi) throws IOException, InterruptedException, URISyntaxException {
        // The check runs this JDK's java and javac; it checks the sources, the same on every machine.
        Emulation.assumeNative(Emulation.NO_EMULATED_PROGRAMS);
        String classpath = location(LayoutAssertions.class) + java.io.File.pathSeparator + location(dev.socketpair.internal.platform.Abi.class);
        ProcessBuilder builder = new ProcessBuilder("bash", kit.resolve("check-layouts").toString(), abi)
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("LAYOUT_CLASSPATH", classpath);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("check-layouts did not finish: " + output);
        }
        CheckRun run = new CheckRun(process.exitValue(), output);
        if (run.exitStatus() == CANNOT_CHECK && !"required".equals(System.getProperty("socketpair.layoutCheck"))) {
            abort(output.strip());
        }
        return run;
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Every string literal in the hand-written Java sources under {@code root}. */
    private static Set<String> stringsOf(Path root) throws IOException {
        Path generated = root.resolve("dev/socketpair/internal/libc");
        Set<String> strings = new HashSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(generated)).toList()) {
                TOKEN.matcher(Files.readString(file)).results()
                        .filter(m -> m.group(1) != null)
                        .forEach(m -> strings.add(m.group(1)));
            }
        }
        return strings;
    }

    /**
     * Whether code of the generated package other than the type's own declaration (its class, or its
     * field in {@code Libc}) names the type, outside comments and strings.
     */
    private static boolean referredToByOtherGeneratedCode(Path generatedPackage, String type) throws IOException {
        Pattern reference = Pattern.compile("\\b" + Pattern.quote(type) + "\\b");
        Pattern ownField = Pattern.compile("(?m)^.*\\s" + Pattern.quote(type) + " = .*$");
        try (Stream<Path> files = Files.list(generatedPackage)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals(type + ".java")).toList()) {
                String code = TOKEN.matcher(Files.readString(file)).replaceAll(" ");
                if (reference.matcher(ownField.matcher(code).replaceAll("")).find()) {
                    return true;
                }
            }
        }
        return false;
    }
}

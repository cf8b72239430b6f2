package dev.socketpair.internal.platform;

import dev.socketpair.Emulation;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a class in a JVM of its own that can read every ABI's generated bindings on this machine. The
 * bindings of Linux and the BSDs look their C library up by that system's name when first used
 * ({@code --library} in each {@code libc.args}); here each such name is pointed at this machine's C
 * library, which the dynamic linker finds already loaded, so that layouts and constants can be read
 * (calling a function through them would call this machine's).
 */
public final class ForeignAbiJvm {

    private ForeignAbiJvm() {
    }

    /**
     * Runs {@code main} with {@code args}; returns what it printed, and fails unless it exits with 0.
     * Skips the calling test in an emulated JVM.
     */
    public static String run(Class<?> main, List<String> args) throws IOException, InterruptedException {
        Emulation.assumeNative(Emulation.HOST_C_LIBRARY_NAMES);
        Path libraries = Files.createTempDirectory("socketpair-libc");
        try {
            Path host = hostCLibrary();
            for (Abi abi : Abi.values()) {
                Path link = libraries.resolve(Path.of(abi.libraryName()).getFileName());
                if (!abi.libraryName().startsWith("/") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, host);
                }
            }
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path") + File.pathSeparator
                            + location(main) + File.pathSeparator + location(Abi.class), main.getName()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().put("LD_LIBRARY_PATH", libraries.toString());
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new AssertionError(main.getSimpleName() + " failed: " + output);
            }
            return output;
        } finally {
            try (Stream<Path> links = Files.list(libraries)) {
                for (Path link : links.toList()) {
                    Files.delete(link);
                }
            }
            Files.delete(libraries);
        }
    }

    /** The C library this process runs with, as its memory map names it. */
    private static Path hostCLibrary() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .filter(path -> path.matches(".*/libc[.-][^/]*"))
                .map(Path::of)
                .findFirst()
                .orElseThrow();
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.socketpair;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For probes that use up every descriptor of a child JVM, and the tests that run them: the run, with a
 * descriptor limit of 128; loading classes ahead, since loading a class from a class directory, as tests
 * run, opens its file, so that a class first needed at the limit could not be loaded (from a jar or a
 * jlink image no descriptor is needed); and taking every free descriptor.
 */
final class AtDescriptorLimit {

    private AtDescriptorLimit() {
    }

    /**
     * Runs {@code probe} in a child JVM with a descriptor limit of 128 and the JVM {@code options}, checks
     * that it exits with 0 and printed no warning, and returns its output.
     */
    static String run(Class<?> probe, String... options) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"));
        all.addAll(List.of(options));
        String output = ProbeJvm.runWithDescriptorLimit(128, probe, all, List.of(), 45);
        assertThat(output).doesNotContain("WARNING");
        return output;
    }

    /** Takes every free descriptor, and prints how many it took ("filled with N files"). */
    static List<FileInputStream> fill() {
        List<FileInputStream> files = new ArrayList<>();
        try {
            while (files.size() < 100_000) {
                files.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException full) {
            System.out.println("filled with " + files.size() + " files");
        }
        return files;
    }

    /** Gives back what {@link #fill()} took. */
    static void free(List<FileInputStream> files) throws IOException {
        for (FileInputStream file : files) {
            file.close();
        }
    }

    /**
     * Loads, without initialising them, every class of the library, and {@code probe} with its nested
     * classes: initialising is left to the probe, since what a class initialiser does at the limit may
     * be what it tests.
     */
    static void preloadClasses(Class<?> probe) throws IOException, URISyntaxException, ClassNotFoundException {
        for (String name : classNames(SocketPair.class, "")) {
            Class.forName(name, false, SocketPair.class.getClassLoader());
        }
        for (String name : classNames(probe, probe.getSimpleName())) {
            Class.forName(name, false, probe.getClassLoader());
        }
    }

    /**
     * The names of the classes in the class directory of {@code anchor}, in its package and below, whose
     * simple names start with {@code prefix}; none if it was loaded from a jar.
     */
    private static List<String> classNames(Class<?> anchor, String prefix) throws IOException, URISyntaxException {
        Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        Path packageDir = root.resolve(anchor.getPackageName().replace('.', '/'));
        try (Stream<Path> files = Files.walk(packageDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".class"))
                    .filter(f -> packageDir.relativize(f).toString().startsWith(prefix))
                    .map(f -> root.relativize(f).toString().replace('/', '.').replaceFirst("\\.class$", ""))
                    .filter(name -> !name.endsWith("module-info") && !name.endsWith("package-info"))
                    .toList();
        }
    }
}

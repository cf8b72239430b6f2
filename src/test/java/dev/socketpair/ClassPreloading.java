package dev.socketpair;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads classes without initialising them, for probes that use up every descriptor: loading a class
 * from a class directory, as tests run, opens its file, so a class first needed at the limit could not
 * be loaded. (From a jar or a jlink image no descriptor is needed.) Initialising is left to the probe:
 * what a class initialiser does at the limit may be what it tests.
 */
final class ClassPreloading {

    private ClassPreloading() {
    }

    /** Loads every class of the library, and {@code probe} with its nested classes. */
    static void loadLibraryAndNested(Class<?> probe) throws IOException, URISyntaxException, ClassNotFoundException {
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

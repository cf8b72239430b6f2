package dev.socketpair.bench;

/**
 * Which code an iteration times. Iterations alternate between the C baseline (even ones, warm-up
 * included) and the variant, so that each figure has C figures measured seconds before and after it in
 * the same process; {@link BenchmarkTable} sets them side by side.
 */
final class Alternation {

    /**
     * The value of a benchmark's {@code against} parameter that alternates the variant with the C
     * baseline; any other value names the variant that takes C's place.
     */
    static final String C = "C";

    private int iterations;

    /** Returns true if the iteration about to run times the C baseline. */
    boolean nextIsBaseline() {
        return iterations++ % 2 == 0;
    }

    static boolean isBaseline(int warmupIterations, int measurementIndex) {
        return (warmupIterations + measurementIndex) % 2 == 0;
    }
}

package dev.socketpair.bench;

import java.util.List;
import java.util.Locale;

/**
 * A figure measured several times: the median and the range of the measurements. A target whose
 * threshold lies inside the range is neither met nor missed by them.
 */
record Spread(double median, double min, double max) {

    /** What a target's check found. */
    enum Verdict {
        MET("met"), WITHIN("within the spread"), MISSED("MISSED");

        final String text;

        Verdict(String text) {
            this.text = text;
        }

        /** The worse of the two: a missed part misses the whole, a part within the spread leaves it there. */
        Verdict and(Verdict other) {
            return ordinal() >= other.ordinal() ? this : other;
        }
    }

    static final Spread NONE = new Spread(Double.NaN, Double.NaN, Double.NaN);

    /** The median and range of {@code values}; {@link #NONE} if there are none. */
    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            return NONE;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.getFirst(), sorted.getLast());
    }

    /**
     * This figure divided by {@code other}, measured at other times: the quotient of the medians, and the
     * widest range the two ranges allow. Both must be positive.
     */
    Spread over(Spread other) {
        return new Spread(median / other.median, min / other.max, max / other.min);
    }

    /** Whether the figure is at most (or, with {@code atMost} false, at least) {@code threshold}. */
    Verdict check(double threshold, boolean atMost) {
        if (Double.isNaN(median)) {
            return Verdict.MISSED;
        }
        if (threshold >= min && threshold <= max) {
            return Verdict.WITHIN;
        }
        return (atMost ? median <= threshold : median >= threshold) ? Verdict.MET : Verdict.MISSED;
    }

    /** As a ratio: {@code 0.93x (0.88–0.99)}. */
    String ratio() {
        return String.format(Locale.ROOT, "%.2fx (%.2f–%.2f)", median, min, max);
    }

    /** With {@code decimals} decimals: {@code 3.1 (2.9–3.4)}. */
    String format(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median, min, max);
    }
}

package io.axlearn.examples.bench;

import java.util.Arrays;
import java.util.List;

/** The median the benchmarks report: the upper one of an even count, from a sorted copy. */
final class Median {
    private Median() {}

    /** The median of {@code values}. */
    static double of(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The median of {@code values}. */
    static double of(List<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}

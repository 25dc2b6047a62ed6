package io.axlearn.examples.usermodel;

import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

// [training-doc-source-start]
/**
 * Synthetic regression data: example {@code i} has features {@code x} ({@code float[dim]}, uniform
 * in [-1, 1)) and {@code y} ({@code float[1]}): {@code y = x . slopes + intercept + noise * N(0,
 * 1)}. Each example is drawn from a generator seeded by {@code (seed, i)}, so the same index always
 * gives the same example, which is what makes the input pipeline resumable exactly.
 */
public final class NoisyLinearSource extends ExampleSource.Config<NoisyLinearSource> {
    /** Number of examples. */
    @Required private Long size;

    /** The true coefficients, one per feature of {@code x}. */
    private List<Double> slopes = List.of(2.0, -3.0);

    /** The true intercept. */
    private double intercept = 0.5;

    /** Standard deviation of the Gaussian noise added to {@code y}. */
    private double noise = 0.1;

    /** Seed of the data; two sources with different seeds hold different examples. */
    private long seed = 0;

    public NoisyLinearSource size(long v) {
        return set(() -> size = v);
    }

    public NoisyLinearSource seed(long v) {
        return set(() -> seed = v);
    }

    @Override
    protected void validate() {
        if (size <= 0) {
            throw invalid("size", "must be positive, got " + size);
        }
        if (slopes.isEmpty()) {
            throw invalid("slopes", "must have at least one coefficient");
        }
    }

    @Override
    protected ExampleSource create() {
        // Copy what the examples need out of the (frozen) config into final locals.
        long count = size;
        double[] w = slopes.stream().mapToDouble(Double::doubleValue).toArray();
        double b = intercept;
        double sigma = noise;
        long base = seed * 1_000_003L;
        return new ExampleSource() {
            @Override
            public long size() {
                return count;
            }

            @Override
            public Example get(long index) {
                SplittableRandom rng = new SplittableRandom(base + index);
                float[] x = new float[w.length];
                double y = b + sigma * rng.nextGaussian();
                for (int j = 0; j < w.length; j++) {
                    x[j] = (float) rng.nextDouble(-1, 1);
                    y += w[j] * x[j];
                }
                return Example.of(Map.of("x", x, "y", new float[] {(float) y}));
            }
        };
    }
}
// [training-doc-source-end]

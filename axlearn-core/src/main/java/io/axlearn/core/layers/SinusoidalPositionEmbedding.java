package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.ForwardContext;

/**
 * Fixed sinusoidal position encodings (<a href="https://arxiv.org/abs/1706.03762">Vaswani et al.
 * 2017</a>, §3.5): for position {@code p} and pair {@code i < dim/2},
 *
 * <pre>
 * PE(p, 2i)     = sin(p / maxTimescale^(2i / dim))
 * PE(p, 2i + 1) = cos(p / maxTimescale^(2i / dim))
 * </pre>
 *
 * <p>so the wavelengths form a geometric progression from {@code 2π} to {@code 2π·maxTimescale}
 * (the paper's 10000). No parameters; any length works. Needs an even {@code dim}.
 */
public final class SinusoidalPositionEmbedding extends AbsolutePositionEmbedding {

    /** Config of {@link SinusoidalPositionEmbedding}. */
    public static final class Config
            extends AbsolutePositionEmbedding.Config<Config, SinusoidalPositionEmbedding> {
        /** Longest timescale, the base of the frequencies (10000 in the paper). */
        private double maxTimescale = 10000;

        public Config maxTimescale(double v) {
            return set(() -> maxTimescale = v);
        }

        @Override
        protected void validate() {
            super.validate();
            if (dim() % 2 != 0) {
                throw invalid("dim", "must be even (sin and cos pairs), got " + dim());
            }
            if (!(maxTimescale > 1)) {
                throw invalid("maxTimescale", "must be greater than 1, got " + maxTimescale);
            }
        }

        @Override
        protected SinusoidalPositionEmbedding create() {
            return new SinusoidalPositionEmbedding(this);
        }
    }

    /** A new config (the parent sets {@code dim}). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    /** {@code maxTimescale^(-2i / dim)} for each pair {@code i}. */
    private final double[] frequencies;

    private SinusoidalPositionEmbedding(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        frequencies = frequencies(cfg.maxTimescale, cfg.dim());
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    public NDArray forward(ForwardContext ctx, long offset, int length) {
        int dim = cfg.dim();
        float[] values = new float[length * dim];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < frequencies.length; i++) {
                double angle = (offset + t) * frequencies[i];
                values[t * dim + 2 * i] = (float) Math.sin(angle);
                values[t * dim + 2 * i + 1] = (float) Math.cos(angle);
            }
        }
        return ctx.manager().create(values, new Shape(length, dim));
    }
}

package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * Dropout (<a href="https://jmlr.org/papers/v15/srivastava14a.html">Srivastava et al. 2014</a>): in
 * training, zeroes each element with probability {@code rate} and scales the rest by {@code 1 / (1
 * - rate)}; in evaluation, the identity. Off by default ({@code rate = 0}).
 *
 * <p>The mask comes from PyTorch's generator seeded with the context's seed for this layer, so a
 * pass with the same root seed drops the same elements.
 */
public final class Dropout extends BaseLayer {

    /** Config of {@link Dropout}. */
    public static final class Config extends BaseLayer.Config<Config, Dropout> {
        /** Probability of dropping an element, in {@code [0, 1)}. */
        private double rate = 0.0;

        /** Sets the drop probability. */
        public Config rate(double v) {
            return set(() -> rate = v);
        }

        /** The drop probability. */
        public double rate() {
            return rate;
        }

        @Override
        protected void validate() {
            if (!(rate >= 0 && rate < 1)) {
                throw invalid("rate", "must be in [0, 1), got " + rate);
            }
        }

        @Override
        protected Dropout create() {
            return new Dropout(this);
        }
    }

    /** A new config (rate 0: the identity). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private Dropout(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * Applies dropout when training.
     *
     * @param ctx this layer's context (its seed picks the mask)
     * @param x input of any shape
     * @return {@code x} itself when not training or {@code rate == 0}, else the dropped copy
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        if (!ctx.training() || cfg.rate == 0) {
            return x;
        }
        ctx.seedEngineRandomness();
        return ai.djl.nn.norm.Dropout.dropout(x, (float) cfg.rate, true).singletonOrThrow();
    }
}

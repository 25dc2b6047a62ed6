package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * Stochastic depth / drop path (<a href="https://arxiv.org/abs/1603.09382">Huang et al. 2016</a>):
 * in training, drops a residual branch for whole examples with probability {@code rate} and scales
 * the kept ones by {@code 1 / (1 - rate)}; in evaluation, the identity. Apply it to the branch
 * before adding the residual. The mask is {@code [N, 1, ...]}, seeded like {@link Dropout}.
 */
public final class StochasticDepth extends BaseLayer {

    /** Config of {@link StochasticDepth}. */
    public static final class Config extends BaseLayer.Config<Config, StochasticDepth> {
        /** Probability of dropping an example's branch, in {@code [0, 1)}. */
        private double rate = 0.0;

        public Config rate(double v) {
            return set(() -> rate = v);
        }

        @Override
        protected void validate() {
            if (!(rate >= 0 && rate < 1)) {
                throw invalid("rate", "must be in [0, 1), got " + rate);
            }
        }

        @Override
        protected StochasticDepth create() {
            return new StochasticDepth(this);
        }
    }

    /** A new config (rate 0: the identity). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private StochasticDepth(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * @param ctx this layer's context (its seed picks the mask)
     * @param x the residual branch {@code [N, ...]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        if (!ctx.training() || cfg.rate == 0) {
            return x;
        }
        long[] maskShape = new long[x.getShape().dimension()];
        java.util.Arrays.fill(maskShape, 1);
        maskShape[0] = x.getShape().get(0);
        ctx.seedEngineRandomness();
        float keep = (float) (1 - cfg.rate);
        NDArray mask =
                ctx.manager()
                        .randomUniform(0f, 1f, new Shape(maskShape))
                        .lt(keep)
                        .toType(x.getDataType(), false);
        return x.mul(mask.div(keep));
    }
}

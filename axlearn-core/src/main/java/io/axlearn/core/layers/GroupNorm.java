package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Required;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

/**
 * Group normalisation (<a href="https://arxiv.org/abs/1803.08494">Wu and He 2018</a>): channels are
 * split into {@code numGroups} groups and each example's group is normalised over its channels and
 * spatial positions. Channels-first like PyTorch's {@code group_norm}: input {@code [N, C,
 * spatial...]}. Parameters {@code scale [C]} (ones) and {@code bias [C]} (zeros).
 */
public final class GroupNorm extends BaseLayer {

    /** Config of {@link GroupNorm}. */
    public static final class Config extends BaseLayer.Config<Config, GroupNorm> {
        /** Number of channels; usually written by the parent. */
        @Required private Integer inputDim;

        /** Number of groups; must divide {@code inputDim}. */
        @Required private Integer numGroups;

        /** Added to the variance. */
        private double eps = 1e-5;

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config numGroups(int v) {
            return set(() -> numGroups = v);
        }

        public Config eps(double v) {
            return set(() -> eps = v);
        }

        @Override
        protected void validate() {
            if (numGroups <= 0 || inputDim % numGroups != 0) {
                throw invalid(
                        "numGroups", "must divide inputDim=" + inputDim + ", got " + numGroups);
            }
        }

        @Override
        protected GroupNorm create() {
            return new GroupNorm(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private GroupNorm(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of("scale", ParamSpec.scale(cfg.inputDim), "bias", ParamSpec.bias(cfg.inputDim));
    }

    /**
     * @param ctx this layer's context
     * @param x {@code [N, C, spatial...]}
     * @return the same shape
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        Shape s = x.getShape();
        NDArray grouped = x.reshape(s.get(0), cfg.numGroups, -1);
        NDArray mean = grouped.mean(new int[] {2}, true);
        NDArray variance = grouped.sub(mean).square().mean(new int[] {2}, true);
        NDArray normalised = grouped.sub(mean).div(variance.add((float) cfg.eps).sqrt()).reshape(s);
        long[] b = new long[s.dimension()];
        java.util.Arrays.fill(b, 1);
        b[1] = cfg.inputDim;
        Shape bs = new Shape(b);
        return normalised.mul(ctx.param("scale", bs)).add(ctx.param("bias", bs));
    }
}

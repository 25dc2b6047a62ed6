package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

/**
 * Layer normalisation (<a href="https://arxiv.org/abs/1607.06450">Ba et al. 2016</a>): {@code y =
 * (x - mean) / sqrt(var + eps) * scale + bias} over the last axis, with the biased variance.
 *
 * <p>Parameters {@code scale [D]} (ones) and {@code bias [D]} (zeros), neither weight-decayed. Runs
 * PyTorch's fused {@code layer_norm}.
 */
public final class LayerNorm extends BaseNorm {

    /** Config of {@link LayerNorm}. */
    public static final class Config extends BaseNorm.Config<Config, LayerNorm> {
        @Override
        protected LayerNorm create() {
            return new LayerNorm(this);
        }
    }

    /** A new config with the defaults (eps 1e-6). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private LayerNorm(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of(
                "scale", ParamSpec.scale(cfg.inputDim()), "bias", ParamSpec.bias(cfg.inputDim()));
    }

    @Override
    public NDArray forward(ForwardContext ctx, NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(
                        x,
                        new Shape(cfg.inputDim()),
                        ctx.param("scale"),
                        ctx.param("bias"),
                        (float) cfg.eps())
                .singletonOrThrow();
    }
}

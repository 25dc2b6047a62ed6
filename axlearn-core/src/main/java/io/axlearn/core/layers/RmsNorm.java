package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

/**
 * RMS normalisation (<a href="https://arxiv.org/abs/1910.07467">Zhang and Sennrich 2019</a>):
 * scales each feature vector by its root mean square, without centring. {@code y = x /
 * sqrt(mean(x^2) + eps) * scale}; cheaper than LayerNorm and standard in recent decoders.
 *
 * <p>Parameter {@code scale [D]} (ones, no weight decay).
 */
public final class RmsNorm extends BaseNorm {

    /** Config of {@link RmsNorm}. */
    public static final class Config extends BaseNorm.Config<Config, RmsNorm> {
        @Override
        protected RmsNorm create() {
            return new RmsNorm(this);
        }
    }

    /** A new config with the defaults (eps 1e-6). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private RmsNorm(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of("scale", ParamSpec.scale(cfg.inputDim()));
    }

    @Override
    public NDArray forward(ForwardContext ctx, NDArray x) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        NDArray rms = meanSquare.add((float) cfg.eps()).sqrt();
        return x.div(rms).mul(ctx.param("scale"));
    }
}

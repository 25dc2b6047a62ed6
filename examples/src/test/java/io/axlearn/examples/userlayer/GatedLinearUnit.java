package io.axlearn.examples.userlayer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A layer written outside the library, as a user would: the gated linear unit of Dauphin et al.,
 * "Language Modeling with Gated Convolutional Networks" (2017, https://arxiv.org/abs/1612.08083),
 * {@code y = (x W + b) * sigmoid(x V + c)}.
 *
 * <p>Shapes: input {@code [..., inputDim]}, output {@code [..., outputDim]}; parameters {@code
 * weight} and {@code gate_weight} {@code [inputDim, outputDim]}, {@code bias} and {@code gate_bias}
 * {@code [outputDim]}.
 */
public final class GatedLinearUnit extends BaseLayer {

    /** Config of {@link GatedLinearUnit}; registered nowhere, named by use. */
    public static final class Config extends BaseLayer.Config<Config, GatedLinearUnit> {
        /** Input feature dimension. */
        @Required private Integer inputDim;

        /** Output feature dimension. */
        @Required private Integer outputDim;

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config outputDim(int v) {
            return set(() -> outputDim = v);
        }

        @Override
        protected void validate() {
            if (outputDim <= 0) {
                throw invalid("outputDim", "must be positive, got " + outputDim);
            }
        }

        @Override
        protected GatedLinearUnit create() {
            return new GatedLinearUnit(this);
        }
    }

    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private GatedLinearUnit(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        Shape inOut = new Shape(cfg.inputDim, cfg.outputDim);
        Map<String, ParamSpec> specs = new LinkedHashMap<>();
        specs.put("weight", ParamSpec.weight(inOut, FanAxes.of(0, 1)));
        specs.put("bias", ParamSpec.bias(cfg.outputDim));
        specs.put("gate_weight", ParamSpec.weight(inOut, FanAxes.of(0, 1)));
        specs.put("gate_bias", ParamSpec.bias(cfg.outputDim));
        return specs;
    }

    /**
     * @param ctx this layer's context
     * @param x input {@code [..., inputDim]}
     * @return {@code [..., outputDim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        NDArray value = x.matMul(ctx.param("weight")).add(ctx.param("bias"));
        NDArray gate = x.matMul(ctx.param("gate_weight")).add(ctx.param("gate_bias"));
        return value.mul(Activation.sigmoid(gate));
    }
}

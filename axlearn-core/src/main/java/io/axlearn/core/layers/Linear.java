package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Affine map of the last axis: {@code y = x W + b}.
 *
 * <p>Shapes: input {@code [..., inputDim]}, output {@code [..., outputDim]}; parameters {@code
 * weight [inputDim, outputDim]} (axlearn's layout; PyTorch's {@code nn.Linear} stores the
 * transpose) and {@code bias [outputDim]}. The weight's default initialiser is Xavier uniform
 * (fan-average), the bias starts at zero and has no weight decay.
 */
public final class Linear extends BaseLayer {

    /** Config of {@link Linear}. */
    public static final class Config extends BaseLayer.Config<Config, Linear> {
        /** Input feature dimension; usually written by the parent. */
        @Required private Integer inputDim;

        /** Output feature dimension; usually written by the parent. */
        @Required private Integer outputDim;

        /** Whether to add a bias. */
        private boolean bias = true;

        /** Sets the input feature dimension. */
        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        /** Sets the output feature dimension. */
        public Config outputDim(int v) {
            return set(() -> outputDim = v);
        }

        /** Sets whether to add a bias. */
        public Config bias(boolean v) {
            return set(() -> bias = v);
        }

        /** The input feature dimension. */
        public Integer inputDim() {
            return inputDim;
        }

        /** The output feature dimension. */
        public Integer outputDim() {
            return outputDim;
        }

        @Override
        protected void validate() {
            if (inputDim <= 0 || outputDim <= 0) {
                throw invalid(
                        inputDim <= 0 ? "inputDim" : "outputDim",
                        "must be positive, got " + (inputDim <= 0 ? inputDim : outputDim));
            }
        }

        @Override
        protected Linear create() {
            return new Linear(this);
        }
    }

    /** A new config with the defaults. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private Linear(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        Map<String, ParamSpec> specs = new LinkedHashMap<>();
        specs.put(
                "weight",
                ParamSpec.weight(new Shape(cfg.inputDim, cfg.outputDim), FanAxes.of(0, 1)));
        if (cfg.bias) {
            specs.put("bias", ParamSpec.bias(cfg.outputDim));
        }
        return specs;
    }

    /**
     * Applies the map.
     *
     * @param ctx this layer's context
     * @param x input {@code [..., inputDim]}
     * @return output {@code [..., outputDim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        NDArray weight = ctx.param("weight");
        NDArray bias = cfg.bias ? ctx.param("bias") : null;
        // torch::linear takes the weight as [out, in]; the transpose is a view, and the fused
        // kernel adds the bias in the same GEMM call. The view would belong to the parameters'
        // manager (its receiver's), so it moves to the step's manager and dies with the step.
        NDArray weightOutIn = weight.transpose();
        weightOutIn.attach(ctx.manager());
        return ai.djl.nn.core.Linear.linear(x, weightOutIn, bias).singletonOrThrow();
    }
}

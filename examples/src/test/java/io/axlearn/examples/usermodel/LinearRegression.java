package io.axlearn.examples.usermodel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.input.Batch;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.Map;

// [training-doc-model-start]
/**
 * Least-squares linear regression: predicts {@code y = x W + b} and returns the weighted mean
 * squared error as the loss.
 *
 * <p>Batch features: {@code x [batch, inputDim]}, {@code y [batch, 1]} and the pipeline's {@code
 * weight [batch]} (1 for real examples, 0 for the padding of a last evaluation batch). Parameters:
 * {@code weight [inputDim, 1]}, {@code bias [1]}.
 */
public final class LinearRegression extends BaseModel {

    /** Config of {@link LinearRegression}. */
    public static final class Config extends BaseModel.Config<Config, LinearRegression> {
        /** Number of input features. */
        @Required private Integer inputDim;

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        @Override
        protected LinearRegression create() {
            return new LinearRegression(this);
        }
    }

    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private LinearRegression(Config cfg) {
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
                "weight", ParamSpec.weight(new Shape(cfg.inputDim, 1), FanAxes.of(0, 1)),
                "bias", ParamSpec.bias(1));
    }

    @Override
    public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
        NDArray x = batch.get("x");
        NDArray weight = batch.get(Batch.WEIGHT);
        // Parameters are the arguments of ops, never the receivers, so results go on the
        // step's manager (the batch's), not on the parameters'.
        NDArray prediction = x.matMul(ctx.param("weight")).add(ctx.param("bias"));
        NDArray error = prediction.sub(batch.get("y")).squeeze(1); // [batch]
        NDArray total = weight.sum();
        NDArray mse = error.square().mul(weight).sum().div(total);
        NDArray meanAbsError = error.abs().mul(weight).sum().div(total);
        return new Output(mse, total, Map.of("mean_abs_error", meanAbsError));
    }
}
// [training-doc-model-end]

package io.axlearn.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.config.ConfigTypes;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.input.Input;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.learner.AdamW;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small real regression task for trainer tests: {@code y = 0.5 * sum(x)} with {@code x} of 4
 * features, learned by a two-layer MLP under a weighted mean-squared error.
 */
final class Regression {
    private Regression() {}

    static {
        ConfigTypes.register("test/RegressionModel", Model.Config.class);
        ConfigTypes.register("test/RegressionSource", Source.class);
    }

    /** {@code x [B, 4]} to a prediction {@code [B, 1]}; loss: weighted MSE; metric: {@code mae}. */
    static final class Model extends BaseModel {
        static final class Config extends BaseModel.Config<Config, Model> {
            /** Adds {@code sqrt(|0 * w|)} to the loss: 0 forward, a NaN gradient backward. */
            private boolean gradientTrap = false;

            /** Width of the hidden layer. */
            private int hiddenDim = 8;

            /**
             * Also report {@code mae_positive}, the mean absolute error over the examples with
             * {@code y > 0} only, weighted by their number (a metric with its own weight).
             */
            private boolean positiveMae = false;

            Config positiveMae(boolean v) {
                return set(() -> positiveMae = v);
            }

            Config hiddenDim(int v) {
                return set(() -> hiddenDim = v);
            }

            Config gradientTrap(boolean v) {
                return set(() -> gradientTrap = v);
            }

            @Override
            protected Model create() {
                return new Model(this);
            }
        }

        private final Config cfg;
        private final Linear hidden;
        private final Linear out;

        private Model(Config cfg) {
            super(cfg);
            this.cfg = cfg;
            hidden = child("hidden", Linear.config(), c -> c.inputDim(4).outputDim(cfg.hiddenDim));
            out = child("out", Linear.config(), c -> c.inputDim(cfg.hiddenDim).outputDim(1));
        }

        @Override
        public Config getConfig() {
            return cfg;
        }

        @Override
        public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
            NDArray h = hidden.forward(ctx.child(hidden), batch.get("x")).tanh();
            NDArray prediction = out.forward(ctx.child(out), h);
            NDArray weight = batch.get("weight");
            NDArray error = prediction.sub(batch.get("y")).reshape(-1);
            NDArray total = weight.sum();
            NDArray denominator = total.maximum(1f);
            NDArray loss = error.square().mul(weight).sum().div(denominator);
            if (cfg.gradientTrap) {
                loss = loss.add(ctx.params().get("out/weight").mul(0f).abs().sqrt().sum());
            }
            NDArray mae = error.abs().mul(weight).sum().div(denominator);
            if (!cfg.positiveMae) {
                return new Output(loss, total, Map.of("mae", mae));
            }
            NDArray positive =
                    batch.get("y").reshape(-1).gt(0f).toType(DataType.FLOAT32, false).mul(weight);
            NDArray count = positive.sum();
            NDArray positiveMae = error.abs().mul(positive).sum().div(count.maximum(1f));
            return new Output(
                    loss,
                    total,
                    Map.of("mae", mae, "mae_positive", positiveMae),
                    Map.of("mae_positive", count));
        }
    }

    /** Example {@code i}: {@code x} uniform in [-1, 1) from a generator seeded with {@code i}. */
    static final class Source extends ExampleSource.Config<Source> {
        private long size = 256;

        Source size(long v) {
            return set(() -> size = v);
        }

        @Override
        protected ExampleSource create() {
            long n = size;
            return new ExampleSource() {
                @Override
                public long size() {
                    return n;
                }

                @Override
                public Example get(long index) {
                    SplittableRandom r = new SplittableRandom(index);
                    float[] x = new float[4];
                    float sum = 0;
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) (r.nextDouble() * 2 - 1);
                        sum += x[i];
                    }
                    return Example.of(Map.of("x", x, "y", new float[] {0.5f * sum}));
                }
            };
        }
    }

    static Model.Config model() {
        return new Model.Config();
    }

    static Input.Config input(int batchSize) {
        return Input.config().source(new Source()).batchSize(batchSize).seed(3).prefetch(0);
    }

    static Learner.Config learner() {
        return Learner.config().optimizer(AdamW.config().learningRate(0.01).weightDecay(0.1));
    }

    static Trainer.Config trainer(long maxStep) {
        return Trainer.config()
                .model(model())
                .input(input(8))
                .learner(learner())
                .maxStep(maxStep)
                .summaryEveryNSteps(1);
    }
}

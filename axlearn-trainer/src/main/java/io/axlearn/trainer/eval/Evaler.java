package io.axlearn.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.config.StepPolicy;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.Input;
import io.axlearn.core.metrics.WeightedScalar;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates a model on its own finite input: every batch in a sub-manager closed with the batch,
 * metrics combined as weighted means over the whole set (padding examples weigh 0).
 */
public final class Evaler extends Configurable {

    /** Config of {@link Evaler}. */
    public static final class Config extends InstantiableConfig<Config, Evaler> {
        /** The evaluation input; read once per evaluation, in order. */
        @Required private Input.Config input;

        /** When to evaluate during training. */
        private StepPolicy.EveryNSteps everyNSteps = StepPolicy.everyNSteps(1000);

        /** Evaluate at most this many batches; null reads the whole input. */
        private Integer maxBatches;

        /** Sets the input (copied; forced to evaluation mode). */
        public Config input(Input.Config v) {
            return set(() -> input = v.copy().training(false));
        }

        /** Sets the interval in steps. */
        public Config everyNSteps(long n) {
            return set(() -> everyNSteps = StepPolicy.everyNSteps(n));
        }

        /** Sets the batch limit (null for all). */
        public Config maxBatches(Integer v) {
            return set(() -> maxBatches = v);
        }

        @Override
        protected void validate() {
            if (input.training()) {
                throw invalid("input.training", "must be false for an evaler input");
            }
            if (maxBatches != null && maxBatches <= 0) {
                throw invalid("maxBatches", "must be positive or null, got " + maxBatches);
            }
        }

        @Override
        protected Evaler create() {
            return new Evaler(this);
        }
    }

    /** A new config; set the input. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final Input input;
    private final StepPolicy policy;

    private Evaler(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        this.input = cfg.input.instantiateAt(ConfigPath.child(cfg.path(), "input"));
        this.policy = cfg.everyNSteps.instantiateAt(ConfigPath.child(cfg.path(), "everyNSteps"));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /** Whether to evaluate after {@code step}. */
    public boolean shouldRun(long step) {
        return policy.test(step);
    }

    /**
     * Runs the model over the input and returns {@code loss} and every metric as weighted means.
     *
     * @param model the model
     * @param params its parameters
     * @param manager parent of the per-batch sub-managers
     */
    public Map<String, WeightedScalar> evaluate(
            BaseModel model, ParamTree params, NDManager manager) {
        Map<String, WeightedScalar> totals = new LinkedHashMap<>();
        int batches = 0;
        try (Input.BatchIterator it = input.iterator()) {
            while (it.hasNext() && (cfg.maxBatches == null || batches < cfg.maxBatches)) {
                Batch batch = it.next();
                batches++;
                try (NDManager step = manager.newSubManager()) {
                    BaseModel.Output out =
                            model.forward(ForwardContext.eval(params, step), batch.toArrays(step));
                    double weight = out.lossWeight().getFloat();
                    totals.merge(
                            "loss",
                            new WeightedScalar(out.loss().getFloat(), weight),
                            WeightedScalar::plus);
                    for (Map.Entry<String, NDArray> m : new TreeMap<>(out.metrics()).entrySet()) {
                        totals.merge(
                                m.getKey(),
                                new WeightedScalar(m.getValue().getFloat(), weight),
                                WeightedScalar::plus);
                    }
                    // The batch's arrays alias its direct buffers: keep them alive until here.
                    java.lang.ref.Reference.reachabilityFence(batch);
                }
            }
        }
        return totals;
    }
}

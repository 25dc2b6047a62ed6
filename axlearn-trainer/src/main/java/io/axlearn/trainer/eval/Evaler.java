package io.axlearn.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.config.StepPolicy;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.Input;
import io.axlearn.core.metrics.WeightedScalar;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.Constants;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.trainer.summary.SummaryWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
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

    /**
     * Starts this evaler's part of a training run: it evaluates when its policy says so and writes
     * its summaries to {@code <trainerDir>/summaries/<name>/}.
     *
     * @param trainerDir the run directory
     * @param name the evaler's name in the trainer config ({@code evalers[name]})
     */
    public Run start(Path trainerDir, String name) {
        return new Run(name, new SummaryWriter(trainerDir, name));
    }

    /** One evaler within a training run: its policy and its summary writer. */
    public final class Run implements AutoCloseable {
        private final String name;
        private final SummaryWriter writer;

        private Run(String name, SummaryWriter writer) {
            this.name = name;
            this.writer = writer;
        }

        /** The evaler's name. */
        public String name() {
            return name;
        }

        /**
         * Evaluates if the policy fires at {@code step} or {@code force} is set (the last step),
         * and writes the means to the summaries.
         *
         * @return the results by metric name, if it evaluated
         */
        public Optional<Map<String, WeightedScalar>> maybeEvaluate(
                long step, boolean force, BaseModel model, ParamTree params, NDManager manager) {
            if (!force && !policy.test(step)) {
                return Optional.empty();
            }
            Map<String, WeightedScalar> result = evaluate(model, params, manager);
            writer.write(step, means(result));
            return Optional.of(result);
        }

        @Override
        public void close() {
            writer.close();
        }
    }

    /** The mean of every result, by name, sorted. */
    public static SortedMap<String, Double> means(Map<String, WeightedScalar> result) {
        SortedMap<String, Double> means = new TreeMap<>();
        result.forEach((k, v) -> means.put(k, v.mean()));
        return means;
    }

    /**
     * Runs the model over the input and returns {@code loss} and every metric as weighted means.
     * The sums stay on the engine until the input is exhausted: one read per metric, not one per
     * batch.
     *
     * @param model the model
     * @param params its parameters
     * @param manager parent of the per-batch sub-managers
     */
    public Map<String, WeightedScalar> evaluate(
            BaseModel model, ParamTree params, NDManager manager) {
        try (NDManager sums = manager.newSubManager();
                Constants constants = Constants.longLived(sums);
                Input.BatchIterator it = input.iterator()) {
            // Per name: the sum of value * weight and the sum of weights, each metric with its
            // own weight (BaseModel.Output#weightOf), so that ratios like F1 combine exactly.
            Map<String, NDArray> weightedSums = new TreeMap<>();
            Map<String, NDArray> totalWeights = new TreeMap<>();
            int batches = 0;
            while (it.hasNext() && (cfg.maxBatches == null || batches < cfg.maxBatches)) {
                Batch batch = it.next();
                batches++;
                try (NDManager step = sums.newSubManager()) {
                    BaseModel.Output out =
                            model.forward(
                                    ForwardContext.eval(params, step, constants),
                                    batch.toArrays(step));
                    Map<String, NDArray> values = new TreeMap<>(out.metrics());
                    values.put("loss", out.loss());
                    for (Map.Entry<String, NDArray> v : values.entrySet()) {
                        NDArray weight =
                                v.getKey().equals("loss")
                                        ? out.lossWeight()
                                        : out.weightOf(v.getKey());
                        accumulate(
                                weightedSums,
                                v.getKey(),
                                v.getValue().mul(weight).toType(DataType.FLOAT64, false),
                                sums);
                        accumulate(
                                totalWeights,
                                v.getKey(),
                                weight.toType(DataType.FLOAT64, true),
                                sums);
                    }
                }
            }
            Map<String, WeightedScalar> totals = new LinkedHashMap<>();
            weightedSums.forEach(
                    (k, sum) -> {
                        double s = sum.getDouble();
                        double w = totalWeights.get(k).getDouble();
                        totals.put(k, new WeightedScalar(w > 0 ? s / w : 0, w));
                    });
            return totals;
        }
    }

    /** Adds {@code value} to {@code sums[name]}, keeping the sum on {@code manager}. */
    private static void accumulate(
            Map<String, NDArray> sums, String name, NDArray value, NDManager manager) {
        NDArray sum = sums.get(name);
        if (sum == null) {
            value.attach(manager);
            sums.put(name, value);
        } else {
            sum.addi(value);
        }
    }
}

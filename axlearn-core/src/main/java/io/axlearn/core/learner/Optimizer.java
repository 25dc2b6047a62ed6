package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * Updates parameters in place from their gradients, keeping its own state (moments, momentum)
 * beside them.
 *
 * <p>Implementations work directly on NDArrays. An update allocates its temporaries on a
 * sub-manager that it closes before returning, so the managers of the parameters, gradients and
 * state hold exactly the same arrays before and after ({@code getManagedArrays()} stays flat).
 * Parameters whose spec has {@code trainable == false} get no state and are never updated.
 *
 * <p><b>Per-parameter rules.</b> The weight decay of parameter {@code p} is the optimiser's {@code
 * weightDecay} times its scale, and its learning rate is the schedule's value times its scale. The
 * scales come from {@link Config#weightDecayScales} and {@link Config#learningRateScales}: maps
 * from a regular expression over the parameter's path to a scale, where the first pattern (in
 * insertion order) that matches the <em>whole</em> path wins. A path that no weight-decay pattern
 * matches keeps the scale its layer declared in {@link ParamSpec#weightDecayScale()} (0 for biases
 * and norm scales, 1 for weights); a path that no learning-rate pattern matches uses 1. So {@code
 * weightDecayScales = {".*": 1.0}} decays every parameter, as {@code torch.optim.AdamW} does on
 * {@code model.parameters()}, and the default (no rules) behaves like {@code {".*bias|.*norm.*":
 * 0.0, ".*": 1.0}} on the core layers. A learning-rate scale also scales the decoupled decay {@code
 * lr * weightDecay} of {@link AdamW} and {@link Lion}, as a torch parameter group's {@code lr}
 * does. Freezing parameters is the {@link Learner}'s job ({@code learner.frozenParams}).
 *
 * <p>An update temporarily re-attaches the parameter, gradient and state arrays to its own
 * sub-manager ({@link NDManager#tempAttachAll}), so nothing else may use those arrays' managers
 * from another thread while it runs.
 */
public interface Optimizer {

    /**
     * Allocates the state for the trainable parameters among {@code specs}: zeros shaped like each
     * parameter, on {@code manager} (which the caller owns and closes).
     *
     * @param specs every parameter's spec by path
     * @param params the parameters (their values are not read; shapes and dtypes come from them)
     * @param manager where the state lives, usually the parameters' manager
     */
    OptimizerState initState(
            SortedMap<String, ParamSpec> specs, ParamTree params, NDManager manager);

    /**
     * Applies update {@code step} (1-based) to the trainable parameters, in place, and advances
     * {@code state} to {@code step}. The learning rate and Adam's bias correction use {@code step},
     * so a restored state continues with the step after its {@link OptimizerState#step()}.
     *
     * @param step the 1-based number of this update
     * @param params the parameters, changed in place
     * @param grads a gradient per trainable parameter path, same shape; not changed
     * @param state this optimiser's state from {@link #initState}, changed in place
     * @throws IllegalArgumentException if a trainable parameter has no gradient, or {@code step <
     *     1}
     */
    void update(long step, ParamTree params, Map<String, NDArray> grads, OptimizerState state);

    /** The learning rate used at {@code step} (1-based), before per-parameter scales. */
    double learningRate(long step);

    /**
     * The names of this optimiser's state slots ({@code mu} and {@code nu} for Adam, none for plain
     * SGD): {@link #initState} makes one array per slot and trainable parameter, named {@code
     * <slot>/<path>}, shaped and typed like the parameter.
     */
    java.util.List<String> slots();

    /**
     * {@code specs} with this optimiser's {@link Config#weightDecayScales} applied: a parameter
     * whose path matches a pattern gets that pattern's weight-decay scale, the others keep their
     * own. {@link #initState} applies it too, so the state's specs are the effective ones.
     */
    SortedMap<String, ParamSpec> effectiveSpecs(SortedMap<String, ParamSpec> specs);

    /** The learning-rate scale of the parameter at {@code path} (1 unless a pattern matches). */
    double learningRateScale(String path);

    /**
     * Base of optimiser configs: the learning rate (a schedule) and the weight decay.
     *
     * @param <S> the concrete config type
     */
    abstract class Config<S extends Config<S>> extends InstantiableConfig<S, Optimizer> {
        /** Learning rate by step: a {@link Schedule} config ({@code Schedule.constant(lr)}). */
        @Required private Schedule.Config<?> learningRate;

        /**
         * Weight decay coefficient, scaled per parameter by {@link ParamSpec#weightDecayScale()};
         * >= 0. Whether it is an L2 term added to the gradient or a decoupled decay of the weights
         * is documented by each optimiser.
         */
        private double weightDecay = 0;

        /**
         * Weight-decay scale by regular expression over the parameter path ({@code {".*": 1.0}},
         * {@code {"decoder/.*norm.*": 0.0}}); the first pattern in insertion order that matches the
         * whole path replaces the scale the layer declared in {@link ParamSpec#weightDecayScale()}.
         * Scales are >= 0. Empty: every parameter keeps its spec's scale.
         */
        private Map<String, Double> weightDecayScales = new LinkedHashMap<>();

        /**
         * Learning-rate multiplier by regular expression over the parameter path ({@code
         * {"encoder/.*": 0.1}}); the first pattern in insertion order that matches the whole path
         * wins, paths that match none use 1. Multipliers are >= 0.
         */
        private Map<String, Double> learningRateScales = new LinkedHashMap<>();

        /** Sets a constant learning rate. */
        public S learningRate(double v) {
            return learningRate(Schedule.constant(v));
        }

        /** Sets the learning-rate schedule (copied). */
        public S learningRate(Schedule.Config<?> v) {
            Schedule.Config<?> c = v.copy();
            return set(() -> learningRate = c);
        }

        /** Sets the weight decay coefficient. */
        public S weightDecay(double v) {
            return set(() -> weightDecay = v);
        }

        /** Replaces the weight-decay rules (pattern to scale, tried in the map's order). */
        public S weightDecayScales(Map<String, Double> v) {
            Map<String, Double> c = new LinkedHashMap<>(v);
            return set(() -> weightDecayScales = c);
        }

        /**
         * Adds a weight-decay rule after the existing ones (an existing pattern keeps its place and
         * gets the new scale).
         */
        public S weightDecayScale(String pattern, double scale) {
            return set(() -> weightDecayScales = with(weightDecayScales, pattern, scale));
        }

        /** Replaces the learning-rate rules (pattern to multiplier, tried in the map's order). */
        public S learningRateScales(Map<String, Double> v) {
            Map<String, Double> c = new LinkedHashMap<>(v);
            return set(() -> learningRateScales = c);
        }

        /**
         * Adds a learning-rate rule after the existing ones (an existing pattern keeps its place
         * and gets the new multiplier).
         */
        public S learningRateScale(String pattern, double scale) {
            return set(() -> learningRateScales = with(learningRateScales, pattern, scale));
        }

        private static Map<String, Double> with(Map<String, Double> m, String key, double v) {
            Map<String, Double> out = new LinkedHashMap<>(m);
            out.put(key, v);
            return out;
        }

        /** The weight-decay rules, pattern to scale, in the order they are tried. */
        public Map<String, Double> weightDecayScales() {
            return weightDecayScales;
        }

        /** The learning-rate rules, pattern to multiplier, in the order they are tried. */
        public Map<String, Double> learningRateScales() {
            return learningRateScales;
        }

        /** The learning-rate schedule config. */
        public Schedule.Config<?> learningRate() {
            return learningRate;
        }

        /** The weight decay coefficient. */
        public double weightDecay() {
            return weightDecay;
        }

        /** Builds the learning-rate schedule; for {@link #create()}. */
        protected final Schedule buildLearningRate() {
            return learningRate.instantiateAt(ConfigPath.child(path(), "learningRate"));
        }

        /** Compiles the weight-decay rules; for implementations. */
        final PathRules<Double> buildWeightDecayRules() {
            return PathRules.of(weightDecayScales);
        }

        /** Compiles the learning-rate rules; for implementations. */
        final PathRules<Double> buildLearningRateRules() {
            return PathRules.of(learningRateScales);
        }

        @Override
        protected void validate() {
            if (!(weightDecay >= 0)) {
                throw invalid("weightDecay", "must be >= 0, got " + weightDecay);
            }
            checkScales("weightDecayScales", weightDecayScales);
            checkScales("learningRateScales", learningRateScales);
            checkLearningRate();
        }

        /**
         * Samples the schedule at steps 1, 10, ..., 10^7: a NaN, infinite or negative learning rate
         * is a config error, not a diverged run.
         */
        private void checkLearningRate() {
            Schedule schedule =
                    learningRate.instantiateAt(ConfigPath.child(path(), "learningRate"));
            for (long step = 1; step <= 10_000_000L; step *= 10) {
                double v = schedule.valueAt(step);
                if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
                    throw invalid(
                            "learningRate",
                            "must be finite and >= 0 at every step, got " + v + " at step " + step);
                }
            }
        }

        private void checkScales(String field, Map<String, Double> rules) {
            for (Map.Entry<String, Double> e : rules.entrySet()) {
                String at = ConfigPath.item(field, e.getKey());
                PathRules.patternProblem(e.getKey())
                        .ifPresent(
                                problem -> {
                                    throw invalid(at, problem);
                                });
                Double v = e.getValue();
                if (v == null || !(v >= 0 && v < Double.POSITIVE_INFINITY)) {
                    throw invalid(at, "must be >= 0 and finite, got " + v);
                }
            }
        }

        /** Throws unless {@code value} of {@code field} is in {@code [0, 1)}. */
        protected final void checkUnitInterval(String field, double value) {
            if (!(value >= 0 && value < 1)) {
                throw invalid(field, "must be in [0, 1), got " + value);
            }
        }

        /** Throws unless {@code value} of {@code field} is positive. */
        protected final void checkPositive(String field, double value) {
            if (!(value > 0)) {
                throw invalid(field, "must be positive, got " + value);
            }
        }
    }
}

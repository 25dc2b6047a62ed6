package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.InstantiableConfig;
import io.axlearn.core.config.Required;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Turns gradients into parameter updates: global-norm clipping, then the optimiser (axlearn's
 * {@code Learner} with {@code chain(clip_by_global_norm, optimizer)}).
 *
 * <p><b>Per-parameter rules</b>, each a regular expression that must match a parameter's whole path
 * ({@code decoder/layer0/self_attention/q_proj/weight}):
 *
 * <ul>
 *   <li>{@code frozenParams}: parameters matching any of these patterns are frozen: no update, no
 *       optimiser state, no part in the gradient norm (like {@code requires_grad = False} in
 *       torch). Freezing only removes trainability: a spec that is not trainable (BatchNorm's
 *       statistics) stays so.
 *   <li>{@code optimizer.weightDecayScales} and {@code optimizer.learningRateScales}: a scale per
 *       parameter, the first matching pattern in insertion order winning; see {@link Optimizer}.
 * </ul>
 *
 * {@link #effectiveSpecs} applies them to the model's specs; {@link #initState} and {@link #step}
 * work on the result, and a train step asks it which parameters need gradients. From the command
 * line: {@code --set 'learner.optimizer.weightDecayScales={".*":1.0}'}, {@code --set
 * 'learner.optimizer.learningRateScales[encoder/.*]=0.1'}, {@code --set
 * 'learner.frozenParams=["embedding/.*"]'}.
 *
 * <pre>{@code
 * Learner learner = Learner.config()
 *         .optimizer(AdamW.config()
 *                 .learningRate(Schedule.cosineWithLinearWarmup(3e-4, 2000, 100_000).alpha(0.1))
 *                 .beta2(0.95).weightDecay(0.1))
 *         .clipping(GlobalNormClipping.config(1.0))
 *         .instantiateAt("learner");
 * OptimizerState state = learner.initState(model.paramSpecs(), params, paramsManager);
 * for (long step = 1; ...; step++) {
 *     // grads: one array per trainable parameter, e.g. getGradient() handles the caller closes
 *     Learner.Output out = learner.step(step, params, grads, state);
 * }
 * }</pre>
 */
public final class Learner {

    /** Config of {@link Learner}. */
    public static final class Config extends InstantiableConfig<Config, Learner> {
        /** The optimiser, with its learning-rate schedule. */
        @Required private Optimizer.Config<?> optimizer;

        /** Gradient clipping applied before the optimiser; the default only measures the norm. */
        private GlobalNormClipping.Config clipping = new GlobalNormClipping.Config();

        /**
         * Regular expressions over parameter paths; a parameter whose whole path matches one is
         * frozen (no update, no optimiser state). Empty: every trainable spec is trained.
         */
        private List<String> frozenParams = new ArrayList<>();

        /** Sets the optimiser (copied). */
        public Config optimizer(Optimizer.Config<?> v) {
            Optimizer.Config<?> c = v.copy();
            return set(() -> optimizer = c);
        }

        /** Sets the clipping (copied). */
        public Config clipping(GlobalNormClipping.Config v) {
            GlobalNormClipping.Config c = v.copy();
            return set(() -> clipping = c);
        }

        /** Replaces the frozen-parameter patterns. */
        public Config frozenParams(List<String> v) {
            List<String> c = new ArrayList<>(v);
            return set(() -> frozenParams = c);
        }

        /** Adds frozen-parameter patterns after the existing ones. */
        public Config freezeParams(String... patterns) {
            List<String> c = new ArrayList<>(frozenParams);
            c.addAll(List.of(patterns));
            return set(() -> frozenParams = c);
        }

        /** The optimiser config. */
        public Optimizer.Config<?> optimizer() {
            return optimizer;
        }

        /** The frozen-parameter patterns. */
        public List<String> frozenParams() {
            return frozenParams;
        }

        @Override
        protected void validate() {
            for (int i = 0; i < frozenParams.size(); i++) {
                String at = ConfigPath.item("frozenParams", i);
                PathRules.patternProblem(frozenParams.get(i))
                        .ifPresent(
                                problem -> {
                                    throw invalid(at, problem);
                                });
            }
        }

        @Override
        protected Learner create() {
            return new Learner(
                    optimizer.instantiateAt(ConfigPath.child(path(), "optimizer")),
                    clipping.instantiateAt(ConfigPath.child(path(), "clipping")),
                    PathRules.all(frozenParams, Boolean.TRUE));
        }
    }

    /** A new config; set the optimiser. */
    public static Config config() {
        return new Config();
    }

    /**
     * Scalars of one learner step, for summaries.
     *
     * @param learningRate the learning rate used
     * @param gradNorm the global L2 norm of the trainable parameters' gradients before clipping
     */
    public record Output(double learningRate, double gradNorm) {
        /** The scalars by summary name ({@code learning_rate}, {@code gradient_norm}). */
        public Map<String, Double> scalars() {
            return Map.of("learning_rate", learningRate, "gradient_norm", gradNorm);
        }
    }

    private final Optimizer optimizer;
    private final GlobalNormClipping clipping;
    private final PathRules<Boolean> frozen;

    private Learner(Optimizer optimizer, GlobalNormClipping clipping, PathRules<Boolean> frozen) {
        this.optimizer = optimizer;
        this.clipping = clipping;
        this.frozen = frozen;
    }

    /** The optimiser. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * The specs as this learner trains them: parameters matching {@code frozenParams} become
     * non-trainable and the optimiser's weight-decay rules replace the matching scales. A train
     * step requires gradients exactly for the parameters whose effective spec is {@link
     * ParamSpec#trainable()}.
     *
     * @param specs the model's specs by path ({@code model.paramSpecs()})
     * @return a new sorted map with the same paths
     */
    public SortedMap<String, ParamSpec> effectiveSpecs(SortedMap<String, ParamSpec> specs) {
        SortedMap<String, ParamSpec> unfrozen = new TreeMap<>();
        specs.forEach(
                (path, spec) ->
                        unfrozen.put(
                                path,
                                spec.trainable() && frozen.match(path).isPresent()
                                        ? spec.withTrainable(false)
                                        : spec));
        return optimizer.effectiveSpecs(unfrozen);
    }

    /**
     * The optimiser's state for the trainable parameters of {@link #effectiveSpecs}{@code (specs)},
     * on {@code manager}; see {@link Optimizer}.
     */
    public OptimizerState initState(
            SortedMap<String, ParamSpec> specs, ParamTree params, NDManager manager) {
        return optimizer.initState(effectiveSpecs(specs), params, manager);
    }

    /**
     * Clips the gradients of the trainable parameters (in place) and applies update {@code step} to
     * {@code params} and {@code state}: {@link #clipGradients} then {@link #update}. Gradients of
     * frozen or non-trainable parameters are ignored.
     *
     * @param step the 1-based step number
     * @param params the parameters, updated in place
     * @param grads a gradient per trainable parameter; may be scaled in place by clipping
     * @param state the optimiser state from {@link #initState}
     * @return the learning rate and the pre-clip gradient norm
     */
    public Output step(
            long step, ParamTree params, Map<String, NDArray> grads, OptimizerState state) {
        List<NDArray> trainable = trainableGradients(grads, state);
        double norm = clipping.clip(trainable);
        update(step, params, grads, state);
        return new Output(optimizer.learningRate(step), norm);
    }

    /**
     * Clips the gradients of the trainable parameters in place and returns their global norm before
     * clipping, left on the engine (no device-to-host copy).
     *
     * @param grads a gradient per trainable parameter, all on one manager
     * @param state the optimiser state (it knows which parameters are trainable)
     * @return the norm as a float scalar on the gradients' manager; {@code null} if there are no
     *     trainable gradients
     */
    public NDArray clipGradients(Map<String, NDArray> grads, OptimizerState state) {
        List<NDArray> trainable = trainableGradients(grads, state);
        return trainable.isEmpty() ? null : clipping.clipOnEngine(trainable);
    }

    /**
     * {@link #clipGradients(Map, OptimizerState)} for a sharded optimiser (ZeRO stage 1): {@code
     * state} holds this rank's share of the parameters, and the gradient norm and the clipping are
     * the global ones over every share (see {@link GlobalNormClipping#clipOnEngine(
     * java.util.Collection, NDManager, UnaryOperator)}). Every rank must call it, also one that
     * owns no parameter.
     *
     * @param grads the gradients; those of parameters outside {@code state} are ignored
     * @param state this rank's share of the optimiser state
     * @param manager the gradients' manager; the norm lands there
     * @param sumOverShards maps this share's sum of squared gradients (a float scalar) to the sum
     *     over all shares, on the same manager
     * @return the global norm before clipping, a float scalar on {@code manager}
     */
    public NDArray clipGradients(
            Map<String, NDArray> grads,
            OptimizerState state,
            NDManager manager,
            UnaryOperator<NDArray> sumOverShards) {
        return clipping.clipOnEngine(trainableGradients(grads, state), manager, sumOverShards);
    }

    /**
     * Applies the optimiser's update {@code step} to the parameters and state (after {@link
     * #clipGradients}).
     */
    public void update(
            long step, ParamTree params, Map<String, NDArray> grads, OptimizerState state) {
        optimizer.update(step, params, grads, state);
    }

    /** The learning rate at {@code step} (1-based). */
    public double learningRate(long step) {
        return optimizer.learningRate(step);
    }

    private static List<NDArray> trainableGradients(
            Map<String, NDArray> grads, OptimizerState state) {
        List<NDArray> trainable = new ArrayList<>();
        state.specs()
                .forEach(
                        (path, spec) -> {
                            if (spec.trainable() && grads.containsKey(path)) {
                                trainable.add(grads.get(path));
                            }
                        });
        return trainable;
    }
}

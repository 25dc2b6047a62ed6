package io.axlearn.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.OptimizerState;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.Constants;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.Seeds;
import io.axlearn.trainer.distributed.DataParallel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One training step: forward and backward (over {@code microBatches} slices of the batch, with the
 * gradients accumulated), the non-finite guard, gradient clipping, the optimiser update, state
 * updates (BatchNorm statistics), and zeroing the gradients for the next step. The {@link Trainer}
 * runs every step through it; a hand-written loop can too:
 *
 * <pre>{@code
 * TrainStep trainStep = new TrainStep(model, learner, seed, 1);
 * try (NDManager root = Engines.pytorch().newBaseManager();
 *         Input.BatchIterator batches = input.iterator()) {
 *     TrainerState state = trainStep.init(root, InputState.start(input.getConfig().seed()));
 *     while (state.step() < 1000) {
 *         try (TrainStep.Output out = trainStep.apply(state, batches.next())) {
 *             state = out.state();
 *             if (state.step() % 100 == 0) {
 *                 System.out.println(state.step() + " " + out.scalars()); // reads the engine
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Each step's arrays live on a sub-manager of the parameters' manager, closed before {@link
 * #apply} returns, except the step's scalars, which {@link Output} holds on the engine until it is
 * closed: nothing is copied to the host unless {@link Output#scalars()} is called, apart from one
 * float per step that the guard reads.
 *
 * <p>Gradient accumulation: with {@code microBatches = N} a batch of {@code B} examples runs as
 * {@code N} forward/backward passes of {@code B/N}; micro-batch {@code k}'s loss is weighted by its
 * share {@code W_k / W} of the batch's loss weight, so the update equals that of one batch of
 * {@code B} whenever the model's loss is a weighted mean (every model here) and each {@code W_k} is
 * 0 or at least 1 (token or example counts). BatchNorm-style state updates are applied after each
 * micro-batch, as torch does when it runs the slices in turn. DJL adds every backward pass into the
 * parameters' {@code .grad}; this class zeroes them after the update, so callers never have to.
 *
 * <p>Randomness: step {@code s} draws from {@code Seeds.derive(seed, "step/" + s)} (and {@code
 * ".../micro/k"} for micro-batch {@code k} of several), so a resumed run repeats the dropout masks
 * of an uninterrupted one.
 */
public final class TrainStep {
    private final BaseModel model;
    private final Learner learner;
    private final long seed;
    private final int microBatches;
    private final SortedMap<String, ParamSpec> specs;
    private final DataParallel dataParallel;
    private ParamTree gradientsEnabledFor;

    /**
     * Shape-only arrays (rotary tables, causal masks) kept across steps, on a sub-manager of the
     * parameters' manager; replaced when the parameters move to another manager.
     */
    private Constants constants;

    /**
     * @param model the model to train
     * @param learner its learner (optimiser, schedule, clipping)
     * @param seed the run seed: initialisation and every step's randomness derive from it
     * @param microBatches forward/backward passes per step (1: no accumulation); must divide the
     *     batch size
     */
    public TrainStep(BaseModel model, Learner learner, long seed, int microBatches) {
        this(model, learner, seed, microBatches, null);
    }

    /**
     * A step that is one rank's part of a data-parallel step: after backward, the gradients, loss
     * and metrics are combined across the ranks of {@code dataParallel} (see {@link
     * DataParallel#reduce}), so every rank applies the update of the global batch. With a sharded
     * optimiser ({@link DataParallel#sharded}) the rank keeps the optimiser state of its own
     * parameters only ({@link #init}), clips with the global gradient norm, updates its own
     * parameters and all-gathers the others' ({@link DataParallel#gatherParameters}).
     *
     * @param dataParallel the ranks; {@code null} for one process
     */
    public TrainStep(
            BaseModel model,
            Learner learner,
            long seed,
            int microBatches,
            DataParallel dataParallel) {
        if (microBatches < 1) {
            throw new IllegalArgumentException("microBatches must be >= 1, got " + microBatches);
        }
        this.model = model;
        this.learner = learner;
        this.seed = seed;
        this.microBatches = microBatches;
        this.dataParallel = dataParallel;
        this.specs = learner.effectiveSpecs(model.paramSpecs()); // frozen ones need no gradient
    }

    /** The model. */
    public BaseModel model() {
        return model;
    }

    /**
     * Number of values the optimiser trains: the trainable parameters' sizes (what {@code
     * sum(p.numel() for p in model.parameters())} counts in torch), without state such as BatchNorm
     * statistics and without parameters the learner freezes.
     */
    public long numTrainableValues() {
        return specs.values().stream()
                .filter(ParamSpec::trainable)
                .mapToLong(s -> s.shape().size())
                .sum();
    }

    /**
     * The state before the first step: parameters initialised from the seed and a fresh optimiser
     * state, on {@code manager} (which the caller owns and closes).
     *
     * @param manager where the parameters and optimiser state live for the whole run
     * @param input the input's starting position
     */
    public TrainerState init(NDManager manager, InputState input) {
        ParamTree params = model.initParams(seed, manager);
        OptimizerState optimizer = learner.initState(optimizerSpecs(), params, manager);
        return new TrainerState(0, params, optimizer, input);
    }

    /**
     * The specs whose optimiser state this process keeps: all of them, or with a sharded optimiser
     * ({@link DataParallel#sharded}) those of the parameters this rank updates.
     */
    private SortedMap<String, ParamSpec> optimizerSpecs() {
        SortedMap<String, ParamSpec> all = model.paramSpecs();
        if (dataParallel == null || !dataParallel.isSharded()) {
            return all;
        }
        SortedMap<String, ParamSpec> mine = new TreeMap<>();
        all.forEach(
                (path, spec) -> {
                    if (dataParallel.updatesHere(path)) {
                        mine.put(path, spec);
                    }
                });
        return mine;
    }

    /**
     * The scalars of one step, kept on the engine until read.
     *
     * <p>Close it after reading (or not reading) the scalars; the next state stays valid.
     */
    public static final class Output implements AutoCloseable {
        private final TrainerState state;
        private final NDManager scalarsManager;
        private final Map<String, NDArray> arrays;
        private final double learningRate;
        private final Timings timings;

        private Output(
                TrainerState state,
                NDManager scalarsManager,
                Map<String, NDArray> arrays,
                double learningRate,
                Timings timings) {
            this.state = state;
            this.scalarsManager = scalarsManager;
            this.arrays = arrays;
            this.learningRate = learningRate;
            this.timings = timings;
        }

        /** Where the step's time went. */
        public Timings timings() {
            return timings;
        }

        /** The state after the step. */
        public TrainerState state() {
            return state;
        }

        /**
         * The step's scalars, copied from the engine: {@code loss}, {@code gradient_norm} (before
         * clipping), {@code learning_rate} and every metric of the model.
         */
        public SortedMap<String, Double> scalars() {
            SortedMap<String, Double> out = new TreeMap<>();
            arrays.forEach((k, v) -> out.put(k, v.toType(DataType.FLOAT64, false).getDouble()));
            out.put("learning_rate", learningRate);
            return out;
        }

        /** The step's loss, copied from the engine. */
        public double loss() {
            return arrays.get("loss").getFloat();
        }

        @Override
        public void close() {
            scalarsManager.close();
        }
    }

    /**
     * Where one step's time went, in nanoseconds of wall time. The CPU engine runs every operation
     * before it returns, so the phases are exact there; on a GPU they are the time to queue the
     * work, up to the first value read back.
     *
     * @param copyNanos handing the batch to the engine
     * @param forwardNanos the forward passes
     * @param backwardNanos the backward passes
     * @param updateNanos gradients (with their all-reduce on several ranks), clipping, the
     *     non-finite check, the optimiser update, state updates and zeroing the gradients
     */
    public record Timings(long copyNanos, long forwardNanos, long backwardNanos, long updateNanos) {
        /** The whole step. */
        public long totalNanos() {
            return copyNanos + forwardNanos + backwardNanos + updateNanos;
        }
    }

    /**
     * Runs step {@code state.step() + 1} on {@code batch}.
     *
     * @param state the state before the step; its arrays are updated in place
     * @param batch the step's batch; its size must be a multiple of {@code microBatches}
     * @return the new state and the step's scalars
     * @throws TrainingDivergedException if the loss or the gradient norm is NaN or infinite; the
     *     parameters and optimiser state are then left as they were before the step (with
     *     micro-batches, non-trainable state such as BatchNorm statistics has already taken the
     *     micro-batches' updates)
     */
    public Output apply(TrainerState state, Batch batch) {
        long step = state.step() + 1;
        long size = batch.size();
        if (size % microBatches != 0) {
            throw new IllegalArgumentException(
                    "batch of "
                            + size
                            + " examples does not split into microBatches="
                            + microBatches);
        }
        ParamTree params = state.params();
        enableGradients(params);
        NDManager home = managerOf(params);
        Engine engine = home.getEngine();
        NDManager scalarsManager = home.newSubManager();
        long t0 = System.nanoTime();
        long[] passes = new long[2]; // forward, backward
        try (NDManager stepManager = home.newSubManager()) {
            Map<String, NDArray> arrays = batch.toArrays(stepManager);
            long copied = System.nanoTime();
            NDArray loss;
            NDArray lossWeight;
            Map<String, NDArray> metrics = new TreeMap<>();
            Map<String, NDArray> metricWeights = new TreeMap<>();
            ForwardContext stateUpdates = null;
            Constants constants = constantsOn(home);
            if (microBatches == 1) {
                ForwardContext ctx =
                        ForwardContext.of(
                                params,
                                stepManager,
                                true,
                                Seeds.derive(seed, "step/" + step),
                                constants);
                BaseModel.Output out;
                try (GradientCollector collector = engine.newGradientCollector()) {
                    long f0 = System.nanoTime();
                    out = model.forward(ctx, arrays);
                    long f1 = System.nanoTime();
                    collector.backward(out.loss());
                    passes[0] += f1 - f0;
                    passes[1] += System.nanoTime() - f1;
                }
                loss = out.loss();
                lossWeight = out.lossWeight();
                metrics.putAll(out.metrics());
                metrics.keySet().forEach(name -> metricWeights.put(name, out.weightOf(name)));
                stateUpdates = ctx;
            } else {
                NDArray[] weight = new NDArray[1];
                loss =
                        accumulate(
                                step,
                                params,
                                arrays,
                                size / microBatches,
                                metrics,
                                metricWeights,
                                weight,
                                stepManager,
                                constants,
                                passes);
                lossWeight = weight[0];
            }
            long passed = System.nanoTime();
            SortedMap<String, NDArray> grads = gradients(params, stepManager);
            if (dataParallel != null) {
                DataParallel.Means means =
                        dataParallel.reduce(
                                grads, loss, lossWeight, metrics, metricWeights, stepManager);
                loss = means.loss();
                metrics = new TreeMap<>(means.metrics());
            }
            boolean sharded = dataParallel != null && dataParallel.isSharded();
            NDArray norm =
                    sharded && !grads.isEmpty()
                            ? learner.clipGradients(
                                    grads,
                                    state.optimizer(),
                                    stepManager,
                                    dataParallel::sumOverRanks)
                            : learner.clipGradients(grads, state.optimizer());
            NDArray checked = norm == null ? loss : loss.add(norm);
            if (!Float.isFinite(checked.getFloat())) {
                String culprits = nonFiniteGradients(grads);
                zero(grads, true);
                throw diverged(step, loss, norm, culprits);
            }
            learner.update(step, params, grads, state.optimizer()); // sharded: this rank's share
            if (sharded) {
                dataParallel.gatherParameters(new TreeMap<>(params.asMap()));
            }
            zero(grads, false);
            if (stateUpdates != null) {
                applyStateUpdates(params, stateUpdates);
            }
            Map<String, NDArray> scalars = new LinkedHashMap<>();
            scalars.put("loss", loss);
            if (norm != null) {
                scalars.put("gradient_norm", norm);
            }
            metrics.forEach(scalars::putIfAbsent);
            scalars.values().forEach(a -> a.attach(scalarsManager));
            TrainerState next =
                    new TrainerState(step, params, state.optimizer(), batch.stateAfter());
            Timings timings =
                    new Timings(
                            copied - t0,
                            passes[0],
                            passes[1],
                            System.nanoTime() - passed + (passed - copied - passes[0] - passes[1]));
            return new Output(next, scalarsManager, scalars, learner.learningRate(step), timings);
        } catch (RuntimeException e) {
            scalarsManager.close();
            throw e;
        }
    }

    /**
     * Forward and backward over the micro-batches; returns the batch's loss and puts its metrics,
     * each the weighted mean over the micro-batches, into {@code metrics}, their total weights into
     * {@code metricWeights}, and the loss's total weight into {@code lossWeight[0]}.
     */
    private NDArray accumulate(
            long step,
            ParamTree params,
            Map<String, NDArray> arrays,
            long microSize,
            Map<String, NDArray> metrics,
            Map<String, NDArray> metricWeights,
            NDArray[] lossWeight,
            NDManager stepManager,
            Constants constants,
            long[] passes) {
        Engine engine = stepManager.getEngine();
        NDArray weightedLoss = null;
        NDArray totalWeight = null;
        Map<String, NDArray> weightedMetrics = new TreeMap<>();
        for (int k = 0; k < microBatches; k++) {
            try (NDManager micro = stepManager.newSubManager()) {
                Map<String, NDArray> slice = new LinkedHashMap<>();
                NDIndex rows = new NDIndex("{}:{}", k * microSize, (k + 1) * microSize);
                arrays.forEach((name, a) -> slice.put(name, a.get(rows)));
                ForwardContext ctx =
                        ForwardContext.of(
                                params,
                                micro,
                                true,
                                Seeds.derive(seed, "step/" + step + "/micro/" + k),
                                constants);
                BaseModel.Output out;
                try (GradientCollector collector = engine.newGradientCollector()) {
                    long f0 = System.nanoTime();
                    out = model.forward(ctx, slice);
                    long f1 = System.nanoTime();
                    // d(L_k * W_k): divided by the batch's total weight W once all are done.
                    collector.backward(out.loss().mul(out.lossWeight()));
                    passes[0] += f1 - f0;
                    passes[1] += System.nanoTime() - f1;
                }
                applyStateUpdates(params, ctx);
                NDArray w = out.lossWeight();
                weightedLoss = addInto(weightedLoss, out.loss().mul(w), stepManager);
                totalWeight = addInto(totalWeight, w, stepManager);
                for (Map.Entry<String, NDArray> m : out.metrics().entrySet()) {
                    NDArray mw = out.weightOf(m.getKey());
                    weightedMetrics.put(
                            m.getKey(),
                            addInto(
                                    weightedMetrics.get(m.getKey()),
                                    m.getValue().mul(mw),
                                    stepManager));
                    metricWeights.put(
                            m.getKey(), addInto(metricWeights.get(m.getKey()), mw, stepManager));
                }
            }
        }
        NDArray denominator = totalWeight.maximum(Float.MIN_NORMAL);
        for (String path : specs.keySet()) {
            NDArray p = params.get(path);
            if (p.hasGradient()) {
                try (NDArray g = p.getGradient()) {
                    g.divi(denominator);
                }
            }
        }
        weightedMetrics.forEach(
                (name, sum) ->
                        metrics.put(
                                name, sum.div(metricWeights.get(name).maximum(Float.MIN_NORMAL))));
        lossWeight[0] = totalWeight;
        return weightedLoss.div(denominator);
    }

    /** {@code sum + value}, kept on {@code manager}; {@code value} alone if there is no sum yet. */
    private static NDArray addInto(NDArray sum, NDArray value, NDManager manager) {
        if (sum == null) {
            NDArray copy = value.duplicate();
            copy.attach(manager);
            return copy;
        }
        return sum.addi(value);
    }

    private void enableGradients(ParamTree params) {
        if (gradientsEnabledFor == params) {
            return;
        }
        specs.forEach((path, spec) -> params.get(path).setRequiresGradient(spec.trainable()));
        gradientsEnabledFor = params;
    }

    /** The cache of shape-only arrays for parameters on {@code home}. */
    private Constants constantsOn(NDManager home) {
        if (constants == null
                || !constants.manager().isOpen()
                || constants.manager().getParentManager() != home) {
            constants = Constants.longLived(home);
        }
        return constants;
    }

    private static NDManager managerOf(ParamTree params) {
        return params.asMap().values().stream()
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the model has no parameters"))
                .getManager();
    }

    /** The gradient handle of every parameter that has one, attached to the step's manager. */
    private SortedMap<String, NDArray> gradients(ParamTree params, NDManager stepManager) {
        SortedMap<String, NDArray> grads = new TreeMap<>();
        params.asMap()
                .forEach(
                        (path, p) -> {
                            if (p.hasGradient()) {
                                NDArray g = p.getGradient();
                                g.attach(stepManager); // the handle dies with the step
                                grads.put(path, g);
                            }
                        });
        return grads;
    }

    /**
     * Zeroes the gradients for the next step (DJL accumulates into {@code .grad} across
     * collectors). Non-finite gradients cannot be zeroed by multiplying, so they are overwritten.
     */
    private static void zero(Map<String, NDArray> grads, boolean mayBeNonFinite) {
        for (NDArray g : grads.values()) {
            if (mayBeNonFinite) {
                g.set(new NDIndex("..."), 0f);
            } else {
                g.muli(0f);
            }
        }
    }

    private static void applyStateUpdates(ParamTree params, ForwardContext ctx) {
        ctx.outputs()
                .stateUpdates()
                .forEach((path, value) -> params.get(path).muli(0f).addi(value));
    }

    private static TrainingDivergedException diverged(
            long step, NDArray loss, NDArray norm, String culprits) {
        float lossValue = loss.getFloat();
        String what =
                Float.isFinite(lossValue)
                        ? "gradient norm is " + norm.getFloat() + " (loss " + lossValue + ")"
                        : "loss is " + lossValue;
        return new TrainingDivergedException(
                what + " at step " + step + "; stopped before applying it" + culprits, step);
    }

    /**
     * Which gradients are to blame, for the divergence message: the parameters whose gradient holds
     * a NaN or an infinity (at most {@value #CULPRITS_SHOWN} named, with the count), or, when every
     * gradient is finite and only the norm overflowed, the one with the largest magnitude. Runs
     * only once, on the failing step.
     */
    private static String nonFiniteGradients(SortedMap<String, NDArray> grads) {
        List<String> bad = new ArrayList<>();
        String largest = null;
        float largestValue = -1;
        for (Map.Entry<String, NDArray> e : grads.entrySet()) {
            float max = e.getValue().abs().max().getFloat(); // on the step's manager
            if (!Float.isFinite(max)) {
                bad.add(e.getKey());
            } else if (max > largestValue) {
                largestValue = max;
                largest = e.getKey();
            }
        }
        if (!bad.isEmpty()) {
            String shown = String.join(", ", bad.subList(0, Math.min(CULPRITS_SHOWN, bad.size())));
            return "; non-finite gradients in "
                    + bad.size()
                    + " of "
                    + grads.size()
                    + " parameters ("
                    + shown
                    + (bad.size() > CULPRITS_SHOWN ? ", ..." : "")
                    + ")";
        }
        return largest == null
                ? ""
                : "; every gradient is finite, the largest is "
                        + largest
                        + " (max |g| "
                        + largestValue
                        + ")";
    }

    private static final int CULPRITS_SHOWN = 8;
}

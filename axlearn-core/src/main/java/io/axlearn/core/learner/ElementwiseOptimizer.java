package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The common part of optimisers that update each parameter from its own gradient and state slots:
 * state allocation, the loop over trainable parameters, and the memory scope of each update.
 *
 * <p>Each parameter is updated inside a sub-manager of its own manager to which the parameter, its
 * gradient and its slots are temporarily attached ({@link NDManager#tempAttachAll}): every result
 * of an op on them lands on the sub-manager and is freed when it closes, after which the arrays go
 * back to their own managers. Subclasses therefore write plain NDArray expressions and update the
 * parameter and slots with in-place ops ({@code subi}, {@code muli}, {@code addi}).
 */
abstract class ElementwiseOptimizer implements Optimizer {
    private final Schedule learningRate;
    private final PathRules<Double> weightDecayRules;
    private final PathRules<Double> learningRateRules;
    private final List<String> slots;

    /**
     * @param cfg the frozen config: the learning-rate schedule and the per-parameter rules
     * @param slots names of the state slots, one array per trainable parameter each
     */
    ElementwiseOptimizer(Optimizer.Config<?> cfg, List<String> slots) {
        this.learningRate = cfg.buildLearningRate();
        this.weightDecayRules = cfg.buildWeightDecayRules();
        this.learningRateRules = cfg.buildLearningRateRules();
        this.slots = List.copyOf(slots);
    }

    @Override
    public final SortedMap<String, ParamSpec> effectiveSpecs(SortedMap<String, ParamSpec> specs) {
        SortedMap<String, ParamSpec> out = new TreeMap<>();
        specs.forEach(
                (path, spec) ->
                        out.put(
                                path,
                                weightDecayRules
                                        .match(path)
                                        .map(spec::withWeightDecayScale)
                                        .orElse(spec)));
        return out;
    }

    @Override
    public final double learningRateScale(String path) {
        return learningRateRules.match(path).orElse(1.0);
    }

    @Override
    public final OptimizerState initState(
            SortedMap<String, ParamSpec> specs, ParamTree params, NDManager manager) {
        SortedMap<String, ParamSpec> effective = effectiveSpecs(specs);
        SortedMap<String, NDArray> arrays = new TreeMap<>();
        for (Map.Entry<String, ParamSpec> e : effective.entrySet()) {
            NDArray p = params.get(e.getKey());
            if (!e.getValue().trainable()) {
                continue;
            }
            for (String slot : slots) {
                NDArray z = manager.zeros(p.getShape(), p.getDataType());
                z.setName(slot + "/" + e.getKey());
                arrays.put(slot + "/" + e.getKey(), z);
            }
        }
        return new OptimizerState(arrays, effective);
    }

    @Override
    public final void update(
            long step, ParamTree params, Map<String, NDArray> grads, OptimizerState state) {
        if (step < 1) {
            throw new IllegalArgumentException("steps count from 1, got " + step);
        }
        double lr = learningRate.valueAt(step);
        List<Target> targets = new ArrayList<>();
        for (Map.Entry<String, ParamSpec> e : state.specs().entrySet()) {
            ParamSpec spec = e.getValue();
            if (!spec.trainable()) {
                continue;
            }
            String path = e.getKey();
            NDArray p = params.get(path);
            NDArray g = grads.get(path);
            if (g == null) {
                throw new IllegalArgumentException(
                        "no gradient for trainable parameter " + path + "; have " + grads.keySet());
            }
            if (!g.getShape().equals(p.getShape())) {
                throw new IllegalArgumentException(
                        "gradient of "
                                + path
                                + " has shape "
                                + g.getShape()
                                + ", parameter has "
                                + p.getShape());
            }
            NDArray[] s = new NDArray[slots.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = state.slot(slots.get(i), path);
            }
            targets.add(
                    new Target(
                            path, lr * learningRateScale(path), spec.weightDecayScale(), p, g, s));
        }
        updateAll(step, targets);
        state.advanceTo(step);
    }

    @Override
    public final List<String> slots() {
        return slots;
    }

    @Override
    public final double learningRate(long step) {
        return learningRate.valueAt(step);
    }

    /**
     * One trainable parameter's share of an update.
     *
     * @param path the parameter's path
     * @param lr the learning rate at this step times the parameter's learning-rate scale
     * @param decayScale the parameter's weight-decay scale
     * @param param the parameter, to change in place
     * @param grad its gradient, not to be changed
     * @param slots its state arrays, in the order of the constructor's slot names
     */
    protected record Target(
            String path,
            double lr,
            double decayScale,
            NDArray param,
            NDArray grad,
            NDArray[] slots) {}

    /**
     * Updates every trainable parameter of one step, checked and in the order of their paths. By
     * default each goes through {@link #updateParam} inside a sub-manager of its own manager, to
     * which the parameter, its gradient and its slots are temporarily attached; an optimiser with a
     * multi-tensor kernel overrides this.
     *
     * @param step the 1-based update number
     * @param targets the parameters to update
     */
    protected void updateAll(long step, List<Target> targets) {
        for (Target t : targets) {
            try (NDManager scope = t.param().getManager().newSubManager()) {
                scope.tempAttachAll(t.param(), t.grad());
                scope.tempAttachAll(t.slots());
                updateParam(step, t.lr(), t.decayScale(), t.param(), t.grad(), t.slots());
            }
        }
    }

    /**
     * Updates one parameter and its slots in place. Every array argument is attached to a
     * short-lived manager, so results of ops on them are temporaries.
     *
     * @param step the 1-based update number
     * @param lr the learning rate at {@code step}, times the parameter's learning-rate scale
     * @param decayScale the parameter's weight-decay scale (multiply the optimiser's decay by it)
     * @param param the parameter, to change in place
     * @param grad its gradient, not to be changed
     * @param slots its state arrays, in the order of the constructor's slot names
     */
    protected abstract void updateParam(
            long step, double lr, double decayScale, NDArray param, NDArray grad, NDArray[] slots);
}

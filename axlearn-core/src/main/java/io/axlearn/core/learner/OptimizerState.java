package io.axlearn.core.learner;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.module.ParamSpec;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An optimiser's state: one array per slot and trainable parameter, named {@code <slot>/<param
 * path>} ({@code mu/decoder/layer0/weight}), plus the last step applied.
 *
 * <p>The arrays have their parameter's shape and dtype and live on the manager given to {@link
 * Optimizer#initState}; {@link Optimizer#update} changes them in place. The tree checkpoints like
 * the parameters: save {@link #arrays()} and {@link #step()}; to restore, build a fresh state with
 * {@code initState} and copy the saved values into its arrays ({@code set(float[])} or {@code
 * copyTo}), then {@link #restoreStep}. The state also keeps the parameter specs it was built for,
 * which the update reads for weight-decay scales and trainability.
 */
public final class OptimizerState implements AutoCloseable {
    private final SortedMap<String, NDArray> arrays;
    private final SortedMap<String, ParamSpec> specs;
    private long step;

    OptimizerState(SortedMap<String, NDArray> arrays, SortedMap<String, ParamSpec> specs) {
        this.arrays = Collections.unmodifiableSortedMap(new TreeMap<>(arrays));
        this.specs = Collections.unmodifiableSortedMap(new TreeMap<>(specs));
    }

    /** Every state array by {@code <slot>/<param path>}, sorted. */
    public SortedMap<String, NDArray> arrays() {
        return arrays;
    }

    /** The parameter specs this state was built for, by path. */
    public SortedMap<String, ParamSpec> specs() {
        return specs;
    }

    /**
     * The state array of {@code slot} for parameter {@code path}.
     *
     * @throws IllegalArgumentException if there is none (an unknown slot, or a frozen parameter)
     */
    public NDArray slot(String slot, String path) {
        NDArray a = arrays.get(slot + "/" + path);
        if (a == null) {
            throw new IllegalArgumentException(
                    "no optimizer state " + slot + "/" + path + "; have " + arrays.keySet());
        }
        return a;
    }

    /** The last step applied (1-based); 0 before the first update. */
    public long step() {
        return step;
    }

    /** Sets the last step applied, when restoring the arrays from a checkpoint. */
    public void restoreStep(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + v);
        }
        step = v;
    }

    void advanceTo(long v) {
        step = v;
    }

    /** Closes every state array. */
    @Override
    public void close() {
        arrays.values().forEach(NDArray::close);
    }
}

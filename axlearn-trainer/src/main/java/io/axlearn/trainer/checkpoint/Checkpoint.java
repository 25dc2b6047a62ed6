package io.axlearn.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one checkpoint holds: the step, the parameter and optimiser-state trees, and typed metadata
 * (input position, seed, the resolved config).
 *
 * <p>A checkpoint made by {@link #ofParams} holds parameters only: a run that resumes from it
 * starts its optimiser and input fresh. That is how other tools seed a run ({@link
 * Checkpointer#write}).
 *
 * @param step the last completed training step (0 before training)
 * @param params parameter arrays by path
 * @param optimizerState optimiser slots by path ({@code mu/decoder/...}); empty for parameters only
 * @param metadata the typed, versioned metadata
 */
public record Checkpoint(
        long step,
        SortedMap<String, NDArray> params,
        SortedMap<String, NDArray> optimizerState,
        CheckpointMetadata metadata) {

    public Checkpoint {
        params = Collections.unmodifiableSortedMap(new TreeMap<>(params));
        optimizerState = Collections.unmodifiableSortedMap(new TreeMap<>(optimizerState));
    }

    /**
     * A checkpoint of parameters only (no optimiser state, no input position), e.g. converted
     * weights that seed a run.
     *
     * @param step the step to record (0 for weights that start a run)
     * @param params parameter arrays by path, as the model names them
     */
    public static Checkpoint ofParams(long step, Map<String, NDArray> params) {
        return new Checkpoint(
                step, new TreeMap<>(params), new TreeMap<>(), CheckpointMetadata.paramsOnly());
    }

    /** Whether this checkpoint carries optimiser state (false for {@link #ofParams}). */
    public boolean hasOptimizerState() {
        return !optimizerState.isEmpty();
    }

    /** Closes every array. */
    public void close() {
        params.values().forEach(NDArray::close);
        optimizerState.values().forEach(NDArray::close);
    }
}

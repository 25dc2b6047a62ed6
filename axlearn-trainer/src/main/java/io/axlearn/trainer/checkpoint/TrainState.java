package io.axlearn.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a checkpoint holds: the step, the parameter and optimiser-state trees, and small JSON-able
 * values (input position, RNG state, the resolved config).
 *
 * @param step the last completed training step (0 before training)
 * @param params parameter arrays by path
 * @param optimizerState optimiser slots by path ({@code mu/decoder/...}); may be empty
 * @param metadata JSON-able values by name ({@code input}: the input state, {@code config}: ...)
 */
public record TrainState(
        long step,
        SortedMap<String, NDArray> params,
        SortedMap<String, NDArray> optimizerState,
        Map<String, Object> metadata) {

    public TrainState {
        params = Collections.unmodifiableSortedMap(new TreeMap<>(params));
        optimizerState = Collections.unmodifiableSortedMap(new TreeMap<>(optimizerState));
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }
}

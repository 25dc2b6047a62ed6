package io.axlearn.core.input;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.ndarray.OwnedArrays;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * A batch of examples held in direct little-endian buffers, one per feature ({@code [batch,
 * length]}), independent of any NDManager; {@link #toArrays} turns it into arrays with one copy per
 * feature. The arrays live in engine memory, not in the buffers: the batch may be dropped (or its
 * buffers reused) as soon as they exist, whatever the autograd graph still refers to ({@link
 * OwnedArrays}).
 *
 * <p>Every batch has a float feature {@value #WEIGHT} of shape {@code [batch]}: 1 for real
 * examples, 0 for the padding that completes the last evaluation batch.
 *
 * @param features feature name to buffer
 * @param shapes feature name to shape
 * @param types feature name to element type (INT32 or FLOAT32)
 * @param stateAfter the input's position after this batch (what a checkpoint saves once the step
 *     that consumed it is done)
 */
public record Batch(
        SortedMap<String, ByteBuffer> features,
        Map<String, Shape> shapes,
        Map<String, DataType> types,
        InputState stateAfter) {

    /** Name of the per-example weight feature. */
    public static final String WEIGHT = "weight";

    public Batch {
        features = Collections.unmodifiableSortedMap(features);
        shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
        types = Collections.unmodifiableMap(new LinkedHashMap<>(types));
    }

    /** Number of examples, padding included. */
    public long size() {
        return shapes.get(WEIGHT).get(0);
    }

    /** Feature {@code name} as an array on {@code manager}. */
    public NDArray toArray(String name, NDManager manager) {
        ByteBuffer data = features.get(name);
        if (data == null) {
            throw new IllegalArgumentException(
                    "batch has no feature " + name + "; it has " + features.keySet());
        }
        return OwnedArrays.copyOf(
                manager, data.duplicate().rewind(), shapes.get(name), types.get(name));
    }

    /** Every feature as an array on {@code manager}, by name. */
    public Map<String, NDArray> toArrays(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        features.keySet().forEach(k -> out.put(k, toArray(k, manager)));
        return out;
    }
}

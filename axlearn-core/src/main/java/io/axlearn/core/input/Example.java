package io.axlearn.core.input;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One training or evaluation example: named fixed-length features, each an {@code int[]} or a
 * {@code float[]}. Examples that are batched together must have features of equal names, kinds and
 * lengths.
 *
 * @param features feature name to {@code int[]} or {@code float[]}; treat the arrays as read-only
 */
public record Example(SortedMap<String, Object> features) {

    public Example {
        features = Collections.unmodifiableSortedMap(new TreeMap<>(features));
        features.forEach(
                (k, v) -> {
                    if (!(v instanceof int[]) && !(v instanceof float[])) {
                        throw new IllegalArgumentException(
                                "feature "
                                        + k
                                        + " must be int[] or float[], got "
                                        + v.getClass().getSimpleName());
                    }
                });
    }

    /** An example of the given features. */
    public static Example of(Map<String, Object> features) {
        return new Example(new TreeMap<>(features));
    }

    /** The {@code int[]} feature {@code name}. */
    public int[] ints(String name) {
        return (int[]) feature(name);
    }

    /** The {@code float[]} feature {@code name}. */
    public float[] floats(String name) {
        return (float[]) feature(name);
    }

    private Object feature(String name) {
        Object v = features.get(name);
        if (v == null) {
            throw new IllegalArgumentException(
                    "example has no feature " + name + "; it has " + features.keySet());
        }
        return v;
    }

    /** This example with one feature added or replaced. */
    public Example with(String name, Object value) {
        SortedMap<String, Object> f = new TreeMap<>(features);
        f.put(name, value);
        return new Example(f);
    }

    /** An example of the same layout with every value zero (used to pad the last eval batch). */
    public Example zeros() {
        SortedMap<String, Object> f = new TreeMap<>();
        features.forEach(
                (k, v) ->
                        f.put(
                                k,
                                v instanceof int[] a
                                        ? new int[a.length]
                                        : new float[((float[]) v).length]));
        return new Example(f);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Example other) || !other.features.keySet().equals(features.keySet())) {
            return false;
        }
        for (String k : features.keySet()) {
            if (!Arrays.deepEquals(
                    new Object[] {features.get(k)}, new Object[] {other.features.get(k)})) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<String, Object> e : features.entrySet()) {
            h = 31 * h + e.getKey().hashCode() + Arrays.deepHashCode(new Object[] {e.getValue()});
        }
        return h;
    }
}

package io.axlearn.core.module;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Similarity;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Parameter arrays by slash-separated path ({@code decoder/layer0/attention/qkv/weight}), and views
 * of it scoped to a layer.
 *
 * <p>The tree holds references: the arrays belong to the manager they were created on (the
 * trainer's), and optimisers update them in place. A scoped view ({@link #scope}) shares the arrays
 * of its root.
 */
public final class ParamTree {
    private final SortedMap<String, NDArray> arrays;
    private final String prefix;

    private ParamTree(SortedMap<String, NDArray> arrays, String prefix) {
        this.arrays = arrays;
        this.prefix = prefix;
    }

    /** A tree of the given arrays by path. */
    public static ParamTree of(java.util.Map<String, NDArray> arrays) {
        return new ParamTree(Collections.unmodifiableSortedMap(new TreeMap<>(arrays)), "");
    }

    /** The view of the subtree under {@code name} (a child layer). */
    public ParamTree scope(String name) {
        return new ParamTree(arrays, prefix + name + Module.PATH_SEPARATOR);
    }

    /** The path of this view's root in the whole tree; empty for the root. */
    public String prefix() {
        return prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
    }

    /**
     * The parameter {@code name} of this view.
     *
     * @throws IllegalArgumentException naming the full path and the nearest existing ones
     */
    public NDArray get(String name) {
        NDArray a = arrays.get(prefix + name);
        if (a == null) {
            var near = Similarity.nearest(prefix + name, arrays.keySet());
            throw new IllegalArgumentException(
                    "no parameter "
                            + prefix
                            + name
                            + (near.isEmpty()
                                    ? ""
                                    : "; did you mean " + String.join(" or ", near) + "?"));
        }
        return a;
    }

    /** Whether this view has a parameter {@code name}. */
    public boolean contains(String name) {
        return arrays.containsKey(prefix + name);
    }

    /** The arrays of this view by path relative to it, sorted. */
    public SortedMap<String, NDArray> asMap() {
        if (prefix.isEmpty()) {
            return arrays;
        }
        SortedMap<String, NDArray> out = new TreeMap<>();
        arrays.subMap(prefix, prefix + Character.MAX_VALUE)
                .forEach((k, v) -> out.put(k.substring(prefix.length()), v));
        return Collections.unmodifiableSortedMap(out);
    }

    /** Number of scalar values in this view. */
    public long numValues() {
        return asMap().values().stream().mapToLong(NDArray::size).sum();
    }

    /** Closes every array of this view. */
    public void close() {
        asMap().values().forEach(NDArray::close);
    }
}

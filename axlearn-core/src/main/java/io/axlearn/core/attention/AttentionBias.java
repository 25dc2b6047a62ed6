package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Additive attention biases (axlearn's {@code attention_bias}): 0 where a query may attend to a
 * key, {@link #NEG_INF} where it may not. Biases broadcast to {@code [B, N, T, S]} and add up, so
 * masks combine with {@link NDArray#add}.
 *
 * <p>The blocked value is a large finite negative number rather than minus infinity, so a query
 * with no visible key yields a uniform distribution instead of NaN.
 */
public final class AttentionBias {
    /** Bias of a blocked query-key pair. */
    public static final float NEG_INF = -1e9f;

    private AttentionBias() {}

    /**
     * Blocks keys that are padding.
     *
     * @param keyValid {@code [B, S]}, non-zero (or true) for real keys
     * @return {@code [B, 1, 1, S]}
     */
    public static NDArray padding(NDArray keyValid) {
        NDArray valid = keyValid.toType(DataType.FLOAT32, false);
        Shape s = valid.getShape();
        return valid.sub(1f).mul(-NEG_INF).reshape(s.get(0), 1, 1, s.get(1));
    }

    /**
     * Lets each query attend only to keys of the same segment (packed sequences).
     *
     * @param querySegments {@code [B, T]} integer segment ids
     * @param keySegments {@code [B, S]} integer segment ids
     * @return {@code [B, 1, T, S]}
     */
    public static NDArray segments(NDArray querySegments, NDArray keySegments) {
        Shape q = querySegments.getShape();
        Shape k = keySegments.getShape();
        NDArray same =
                querySegments
                        .reshape(q.get(0), 1, q.get(1), 1)
                        .eq(keySegments.reshape(k.get(0), 1, 1, k.get(1)));
        return same.toType(DataType.FLOAT32, false).sub(1f).mul(-NEG_INF);
    }

    /**
     * Blocks keys after each query: query {@code t} (at absolute position {@code queryOffset + t})
     * sees keys {@code 0..queryOffset + t}. Built by the engine from two position ranges, so the
     * {@code T x S} mask never passes through a Java array.
     *
     * @return {@code [1, 1, T, S]}
     */
    public static NDArray causal(
            NDManager manager, long queryLength, long keyLength, long queryOffset) {
        NDArray queries =
                manager.arange(
                                Math.toIntExact(queryOffset),
                                Math.toIntExact(queryOffset + queryLength),
                                1,
                                DataType.INT64)
                        .reshape(queryLength, 1);
        NDArray keys =
                manager.arange(0, Math.toIntExact(keyLength), 1, DataType.INT64)
                        .reshape(1, keyLength);
        NDArray visible = keys.lte(queries).toType(DataType.FLOAT32, false);
        NDArray bias = visible.sub(1f).mul(-NEG_INF);
        return bias.reshape(1, 1, queryLength, keyLength);
    }
}

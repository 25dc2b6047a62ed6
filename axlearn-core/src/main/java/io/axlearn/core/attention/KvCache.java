package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of the positions decoded so far, for incremental decoding with {@link
 * MultiheadAttention#extendStep}. Keys are stored after rotary embedding. Each step returns a new
 * cache that is one position longer (the arrays are concatenated, on the step's manager).
 *
 * @param key {@code [B, K, S, H]}, or {@code null} before the first step
 * @param value {@code [B, K, S, H]}, or {@code null} before the first step
 * @param length number of positions in the cache ({@code S})
 */
public record KvCache(NDArray key, NDArray value, long length) {

    /** The empty cache. */
    public static final KvCache EMPTY = new KvCache(null, null, 0);
}

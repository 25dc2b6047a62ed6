package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;

/**
 * Output of an attention layer.
 *
 * @param data {@code [B, T, outputDim]}
 * @param probs attention probabilities {@code [B, N, T, S]} when requested, else {@code null}
 */
public record AttentionOutput(NDArray data, NDArray probs) {}

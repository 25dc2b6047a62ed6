package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * The inputs of one {@link MultiheadAttention} call, built by name instead of positional nulls:
 * {@code AttentionInput.self(x)}, {@code AttentionInput.cross(query, memory).withBias(padding)},
 * {@code AttentionInput.self(x).withProbabilities()}.
 *
 * @param query {@code [B, T, D]}
 * @param keyValue {@code [B, S, D]} the attended sequence, or {@code null} for self-attention
 *     (prefer {@link #source()})
 * @param bias additive logit bias broadcastable to {@code [B, N, T, S]} (padding, segments; see
 *     {@link AttentionBias}), or {@code null}; the causal mask is the attention config's, not this
 * @param returnProbabilities whether the output carries the attention probabilities
 */
public record AttentionInput(
        NDArray query, NDArray keyValue, NDArray bias, boolean returnProbabilities) {

    public AttentionInput {
        Objects.requireNonNull(query, "query");
    }

    /** Self-attention over {@code x [B, T, D]}. */
    public static AttentionInput self(NDArray x) {
        return new AttentionInput(x, null, null, false);
    }

    /** Cross-attention from {@code query [B, T, D]} to {@code keyValue [B, S, D]}. */
    public static AttentionInput cross(NDArray query, NDArray keyValue) {
        return new AttentionInput(query, Objects.requireNonNull(keyValue, "keyValue"), null, false);
    }

    /** The same input with an additive logit {@code bias} (replacing any earlier one). */
    public AttentionInput withBias(NDArray bias) {
        return new AttentionInput(
                query, keyValue, Objects.requireNonNull(bias, "bias"), returnProbabilities);
    }

    /** The same input, asking for the attention probabilities in the output. */
    public AttentionInput withProbabilities() {
        return new AttentionInput(query, keyValue, bias, true);
    }

    /** The attended sequence: {@code keyValue}, or {@code query} for self-attention. */
    public NDArray source() {
        return keyValue == null ? query : keyValue;
    }
}

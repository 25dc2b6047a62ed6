package io.axlearn.core.layers;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * How a convolution or pooling window pads its input, per spatial axis.
 *
 * <ul>
 *   <li>{@link Same}: output length {@code ceil(in / stride)}; the padding {@code max((out - 1) *
 *       stride + (k - 1) * dilation + 1 - in, 0)} is split with the extra element at the end
 *       (TensorFlow/axlearn convention).
 *   <li>{@link Valid}: no padding.
 *   <li>{@link Causal}: all padding before the input, {@code (k - 1) * dilation} (1-d only), so
 *       output {@code t} sees inputs up to {@code t}.
 *   <li>{@link Explicit}: {@code [before, after]} per spatial axis.
 * </ul>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ConvPadding.Same.class, name = "same"),
    @JsonSubTypes.Type(value = ConvPadding.Valid.class, name = "valid"),
    @JsonSubTypes.Type(value = ConvPadding.Causal.class, name = "causal"),
    @JsonSubTypes.Type(value = ConvPadding.Explicit.class, name = "explicit")
})
public sealed interface ConvPadding
        permits ConvPadding.Same, ConvPadding.Valid, ConvPadding.Causal, ConvPadding.Explicit {

    /** Output length {@code ceil(in / stride)}. */
    record Same() implements ConvPadding {}

    /** No padding. */
    record Valid() implements ConvPadding {}

    /** Everything before the input (1-d causal convolution). */
    record Causal() implements ConvPadding {}

    /**
     * Given amounts.
     *
     * @param beforeAfter {@code [before, after]} for each spatial axis
     */
    record Explicit(List<List<Integer>> beforeAfter) implements ConvPadding {
        public Explicit {
            beforeAfter = beforeAfter.stream().map(List::copyOf).toList();
        }
    }

    /**
     * The {@code [before, after]} padding of one spatial axis.
     *
     * @param axis index of the spatial axis (0-based)
     * @param in input length
     * @param kernel window size
     * @param stride step
     * @param dilation spacing of window elements
     */
    default int[] amounts(int axis, long in, int kernel, int stride, int dilation) {
        int span = (kernel - 1) * dilation + 1;
        if (this instanceof Same) {
            long out = (in + stride - 1) / stride;
            int total = (int) Math.max((out - 1) * stride + span - in, 0);
            return new int[] {total / 2, total - total / 2};
        }
        if (this instanceof Causal) {
            return new int[] {span - 1, 0};
        }
        if (this instanceof Explicit e) {
            List<Integer> p = e.beforeAfter().get(axis);
            return new int[] {p.get(0), p.get(1)};
        }
        return new int[] {0, 0};
    }
}

package io.axlearn.core.attention;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The hidden dimension of a feed-forward block: a fixed size, or a multiple of the input dimension
 * rounded up to a multiple of {@code roundTo} (axlearn's {@code scale_hidden_dim}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = HiddenDim.Fixed.class, name = "fixed"),
    @JsonSubTypes.Type(value = HiddenDim.Scaled.class, name = "scaled")
})
public sealed interface HiddenDim permits HiddenDim.Fixed, HiddenDim.Scaled {

    /** The hidden size for {@code inputDim}. */
    int resolve(int inputDim);

    /**
     * A fixed hidden size.
     *
     * @param dim the size, positive
     */
    record Fixed(int dim) implements HiddenDim {
        public Fixed {
            if (dim <= 0) {
                throw new IllegalArgumentException("hidden dim must be positive, got " + dim);
            }
        }

        @Override
        public int resolve(int inputDim) {
            return dim;
        }
    }

    /**
     * {@code factor * inputDim}, rounded up to a multiple of {@code roundTo}.
     *
     * @param factor multiple of the input dimension, positive
     * @param roundTo granularity, positive (1: no rounding)
     */
    record Scaled(double factor, int roundTo) implements HiddenDim {
        public Scaled {
            if (!(factor > 0) || roundTo <= 0) {
                throw new IllegalArgumentException(
                        "factor and roundTo must be positive, got " + factor + ", " + roundTo);
            }
        }

        @Override
        public int resolve(int inputDim) {
            int raw = (int) Math.ceil(factor * inputDim);
            return (raw + roundTo - 1) / roundTo * roundTo;
        }
    }
}

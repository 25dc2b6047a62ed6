package io.axlearn.core.layers;

import io.axlearn.core.config.Required;
import io.axlearn.core.module.BaseLayer;

/**
 * Base of the ways a model tells its layers where each token sits. A model's position-encoding slot
 * is typed {@code PositionEncoding.Config<?, ?>} (null: no position information), and the model
 * decides where the chosen kind acts:
 *
 * <ul>
 *   <li>{@link AbsolutePositionEmbedding}s ({@link LearnedPositionEmbedding}, {@link
 *       SinusoidalPositionEmbedding}) are added to the token embeddings;
 *   <li>{@code io.axlearn.core.attention.RotaryEmbedding} rotates queries and keys inside every
 *       attention layer.
 * </ul>
 */
public abstract class PositionEncoding extends BaseLayer {

    /**
     * Config of every position encoding.
     *
     * @param <S> the concrete config type
     * @param <T> the layer type
     */
    public abstract static class Config<S extends Config<S, T>, T extends PositionEncoding>
            extends BaseLayer.Config<S, T> {
        /**
         * Size of each encoded vector; parent-owned: the model dimension for absolute embeddings,
         * the per-head dimension for rotary embeddings.
         */
        @Required private Integer dim;

        /** Sets the encoded dimension. */
        public S dim(int v) {
            return set(() -> dim = v);
        }

        /** The encoded dimension. */
        public Integer dim() {
            return dim;
        }

        @Override
        protected void validate() {
            if (dim <= 0) {
                throw invalid("dim", "must be positive, got " + dim);
            }
        }
    }

    protected PositionEncoding(Config<?, ?> config) {
        super(config);
    }

    /**
     * The angular frequencies of the sinusoidal encodings (sinusoidal absolute and rotary): {@code
     * base^(-2i / dim)} for each pair {@code i < dim / 2}, from 1 down towards {@code 1 / base}.
     */
    protected static double[] frequencies(double base, int dim) {
        double[] out = new double[dim / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.pow(base, -2.0 * i / dim);
        }
        return out;
    }
}

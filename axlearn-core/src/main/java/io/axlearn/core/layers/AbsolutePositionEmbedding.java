package io.axlearn.core.layers;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.module.ForwardContext;

/**
 * A position encoding that is a vector per position, added to the token embeddings: {@code h_t =
 * token(x_t) + p(t)}. Positions count from an offset, so that a decoding step at position {@code
 * offset} sees the same vector as the full forward pass.
 */
public abstract class AbsolutePositionEmbedding extends PositionEncoding {

    /**
     * Config of every absolute position embedding.
     *
     * @param <S> the concrete config type
     * @param <T> the layer type
     */
    public abstract static class Config<S extends Config<S, T>, T extends AbsolutePositionEmbedding>
            extends PositionEncoding.Config<S, T> {}

    protected AbsolutePositionEmbedding(Config<?, ?> config) {
        super(config);
    }

    /**
     * The vectors of positions {@code offset .. offset + length - 1}.
     *
     * @param ctx this layer's context
     * @param offset the first position, non-negative
     * @param length the number of positions, positive
     * @return {@code [length, dim]}
     */
    public abstract NDArray forward(ForwardContext ctx, long offset, int length);

    /**
     * Adds the position vectors to {@code x}, whose time axis holds positions {@code offset ..
     * offset + T - 1}.
     *
     * @param ctx this layer's context
     * @param x {@code [B, T, dim]}
     * @param offset position of {@code x}'s first step
     * @return {@code [B, T, dim]}
     */
    public final NDArray addTo(ForwardContext ctx, NDArray x, long offset) {
        return x.add(forward(ctx, offset, (int) x.getShape().get(1)));
    }

    /**
     * Adds to each step of {@code x} the vector of its own position (packed sequences, whose
     * positions restart at each document).
     *
     * @param ctx this layer's context
     * @param x {@code [B, T, dim]}
     * @param positions {@code [B, T]} integer positions in {@code [0, T)}
     * @return {@code [B, T, dim]}
     */
    public final NDArray addAt(ForwardContext ctx, NDArray x, NDArray positions) {
        NDArray table = forward(ctx, 0, (int) x.getShape().get(1));
        return x.add(Embedding.lookup(positions, table));
    }
}

package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.layers.PositionEncoding;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.ndarray.OwnedArrays;

/**
 * Rotary position embeddings (<a href="https://arxiv.org/abs/2104.09864">Su et al. 2021</a>),
 * applied to queries and keys inside attention, in the "rotate half" convention of GPT-NeoX and
 * Llama: each head vector is split into halves {@code (x1, x2)} (not interleaved pairs) and rotated
 * as {@code x * cos + (-x2, x1) * sin}, pair {@code i} with frequency {@code theta^(-2i/H)} and
 * angle {@code position * frequency}. The attention logits then depend only on relative positions.
 *
 * <p>{@code dim} is the per-head dimension {@code H}, written by {@link MultiheadAttention}; it
 * must be even. No parameters.
 */
public final class RotaryEmbedding extends PositionEncoding {

    /** Config of {@link RotaryEmbedding}. */
    public static final class Config extends PositionEncoding.Config<Config, RotaryEmbedding> {
        /** Base {@code theta} of the frequencies (10000 in the paper; Llama 3 uses 500000). */
        private double theta = 10000;

        public Config theta(double v) {
            return set(() -> theta = v);
        }

        /** The frequency base. */
        public double theta() {
            return theta;
        }

        @Override
        protected void validate() {
            super.validate();
            if (dim() % 2 != 0) {
                throw invalid("dim", "must be even (rotated halves), got " + dim());
            }
            if (!(theta > 1)) {
                throw invalid("theta", "must be greater than 1, got " + theta);
            }
        }

        @Override
        protected RotaryEmbedding create() {
            return new RotaryEmbedding(this);
        }
    }

    /** A new config (theta 10000; the attention layer sets {@code dim}). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    /** {@code theta^(-2i/H)} for each pair {@code i < H/2}. */
    private final double[] frequencies;

    private RotaryEmbedding(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        frequencies = frequencies(cfg.theta, cfg.dim());
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * Rotates queries or keys.
     *
     * @param ctx this layer's context (its manager holds the sines and cosines)
     * @param x {@code [B, heads, L, H]} whose positions are {@code offset .. offset + L - 1}
     * @param offset position of the first of the {@code L} steps
     * @return {@code [B, heads, L, H]}
     */
    public NDArray rotate(ForwardContext ctx, NDArray x, long offset) {
        Shape s = x.getShape();
        int length = (int) s.get(2);
        int dim = (int) s.get(3);
        int half = dim / 2;
        float[] cos = new float[length * dim];
        float[] sin = new float[length * dim];
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (offset + p) * frequencies[i];
                float c = (float) Math.cos(angle);
                float sn = (float) Math.sin(angle);
                cos[p * dim + i] = c;
                cos[p * dim + i + half] = c;
                sin[p * dim + i] = sn;
                sin[p * dim + i + half] = sn;
            }
        }
        // Engine copies: autograd keeps both tables for the backward pass (OwnedArrays).
        NDArray cosA = OwnedArrays.copyOf(ctx.manager(), cos, new Shape(1, 1, length, dim));
        NDArray sinA = OwnedArrays.copyOf(ctx.manager(), sin, new Shape(1, 1, length, dim));
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(cosA).add(rotated.mul(sinA));
    }
}

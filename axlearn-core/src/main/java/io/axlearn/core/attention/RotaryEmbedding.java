package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
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
     * <p>The sine and cosine tables are {@linkplain ForwardContext#constant constants}: built once
     * for a power-of-two number of positions covering {@code offset + L} and shared by queries,
     * keys, every layer and (with the train step's cache) every step; a window that does not start
     * at 0 or is shorter than the table takes a view of its rows.
     *
     * @param ctx this layer's context
     * @param x {@code [B, heads, L, H]} whose positions are {@code offset .. offset + L - 1}
     * @param offset position of the first of the {@code L} steps
     * @return {@code [B, heads, L, H]}
     */
    public NDArray rotate(ForwardContext ctx, NDArray x, long offset) {
        Shape s = x.getShape();
        long length = s.get(2);
        int half = (int) s.get(3) / 2;
        NDArray cos = table(ctx, x.getDataType(), offset, length, true);
        NDArray sin = table(ctx, x.getDataType(), offset, length, false);
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    /**
     * Rows {@code offset .. offset + length - 1} of the cosine or sine table, {@code [1, 1, L, H]}.
     */
    private NDArray table(
            ForwardContext ctx, DataType type, long offset, long length, boolean cosine) {
        long positions = tableLength(offset + length);
        String key =
                "rotary/"
                        + (cosine ? "cos" : "sin")
                        + "/theta="
                        + cfg.theta
                        + "/dim="
                        + cfg.dim()
                        + "/positions="
                        + positions
                        + "/"
                        + type;
        NDArray table = ctx.constant(key, m -> build(m, (int) positions, cosine, type));
        if (offset == 0 && length == positions) {
            return table;
        }
        NDArray rows = table.get(new NDIndex(":, :, {}:{}", offset, offset + length));
        rows.attach(ctx.manager());
        return rows;
    }

    /** The least power of two, at least 64, that covers {@code positions}. */
    static long tableLength(long positions) {
        long n = 64;
        while (n < positions) {
            n <<= 1;
        }
        return n;
    }

    /** The table of {@code positions} rows: {@code [1, 1, positions, H]} of {@code type}. */
    private NDArray build(NDManager manager, int positions, boolean cosine, DataType type) {
        int dim = cfg.dim();
        int half = dim / 2;
        float[] values = new float[positions * dim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * frequencies[i];
                float v = (float) (cosine ? Math.cos(angle) : Math.sin(angle));
                values[p * dim + i] = v;
                values[p * dim + i + half] = v;
            }
        }
        // An engine copy: autograd keeps the table for the backward pass (OwnedArrays).
        NDArray table = OwnedArrays.copyOf(manager, values, new Shape(1, 1, positions, dim));
        return type == DataType.FLOAT32 ? table : table.toType(type, false);
    }
}

package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.ndarray.OwnedArrays;

/**
 * Multi-head dot-product attention (<a href="https://arxiv.org/abs/1706.03762">Vaswani et al.
 * 2017</a>) with grouped-query heads (<a href="https://arxiv.org/abs/2305.13245">Ainslie et al.
 * 2023</a>: {@code numKvHeads} key/value heads shared by groups of query heads), optional causal
 * masking, rotary position embeddings, a logit soft cap and dropout on the probabilities.
 *
 * <p>Children: {@code q_proj} ({@code inputDim -> N*H}), {@code k_proj}, {@code v_proj} ({@code
 * inputDim -> K*H}), {@code o_proj} ({@code N*H -> outputDim}), all built from the {@code
 * projection} slot, {@code dropout}, and {@code rotary} when configured. Shapes (legend in the
 * package doc): query {@code [B, T, D]}, key/value {@code [B, S, D]}, output {@code [B, T,
 * outputDim]}.
 */
public final class MultiheadAttention extends BaseLayer {

    /** Config of {@link MultiheadAttention}. */
    public static final class Config extends BaseLayer.Config<Config, MultiheadAttention> {
        /** Query (and, by default, key/value and output) feature dimension; parent-owned. */
        @Required private Integer inputDim;

        /** Output dimension; {@code null} means {@code inputDim}. */
        private Integer outputDim;

        /** Number of query heads {@code N}. */
        @Required private Integer numHeads;

        /** Number of key/value heads {@code K}; must divide {@code numHeads}; null means N. */
        private Integer numKvHeads;

        /** Per-head dimension {@code H}; null means {@code inputDim / numHeads}. */
        private Integer perHeadDim;

        /** Whether query {@code t} may only see keys at positions up to its own. */
        private boolean causal = false;

        /**
         * Rotary position embeddings of queries and keys ({@link RotaryEmbedding}: the "rotate
         * half" convention of GPT-NeoX and Llama, frequency base {@code theta}), or {@code null}
         * for none; the layer writes its {@code dim} (the per-head {@code H}, which must be even).
         * Positions count from 0 in {@code forward} and continue from {@code cache.length()} in
         * {@code extendStep}; with packed segments they are not restarted per segment (the logits
         * depend only on relative positions, so this changes nothing). A model with a position
         * encoding slot ({@code CausalLm}) writes this field itself.
         */
        private RotaryEmbedding.Config rotary;

        /** Soft cap of the logits, {@code cap * tanh(logits / cap)}; null disables it. */
        private Double attentionLogitCap;

        /** Multiplier of the logits; null means {@code 1 / sqrt(H)}. */
        private Double queryScale;

        /** Template of the four projections; the layer writes their dims. */
        private Linear.Config projection = Linear.config();

        /** Dropout on the attention probabilities. */
        private Dropout.Config dropout = Dropout.config();

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config outputDim(Integer v) {
            return set(() -> outputDim = v);
        }

        public Config numHeads(int v) {
            return set(() -> numHeads = v);
        }

        public Config numKvHeads(Integer v) {
            return set(() -> numKvHeads = v);
        }

        public Config perHeadDim(Integer v) {
            return set(() -> perHeadDim = v);
        }

        public Config causal(boolean v) {
            return set(() -> causal = v);
        }

        /** Sets the rotary embedding ({@code null}: none); stored as a copy. */
        public Config rotary(RotaryEmbedding.Config v) {
            return set(() -> rotary = v == null ? null : v.copy());
        }

        public Config attentionLogitCap(Double v) {
            return set(() -> attentionLogitCap = v);
        }

        public Config queryScale(Double v) {
            return set(() -> queryScale = v);
        }

        public Config projection(Linear.Config v) {
            return set(() -> projection = v.copy());
        }

        public Config dropout(Dropout.Config v) {
            return set(() -> dropout = v.copy());
        }

        /** The query head count. */
        public Integer numHeads() {
            return numHeads;
        }

        /** Whether attention is causal. */
        public boolean causal() {
            return causal;
        }

        /** The rotary embedding, or {@code null}. */
        public RotaryEmbedding.Config rotary() {
            return rotary;
        }

        int kvHeads() {
            return numKvHeads == null ? numHeads : numKvHeads;
        }

        int headDim() {
            return perHeadDim == null ? inputDim / numHeads : perHeadDim;
        }

        @Override
        protected void validate() {
            if (numHeads <= 0) {
                throw invalid("numHeads", "must be positive, got " + numHeads);
            }
            if (numKvHeads != null && (numKvHeads <= 0 || numHeads % numKvHeads != 0)) {
                throw invalid(
                        "numKvHeads", "must divide numHeads=" + numHeads + ", got " + numKvHeads);
            }
            if (perHeadDim == null && inputDim % numHeads != 0) {
                throw invalid(
                        "perHeadDim",
                        "must be set when numHeads="
                                + numHeads
                                + " does not divide inputDim="
                                + inputDim);
            }
            if (rotary != null && headDim() % 2 != 0) {
                throw invalid("rotary", "needs an even per-head dimension, got " + headDim());
            }
            if (attentionLogitCap != null && !(attentionLogitCap > 0)) {
                throw invalid(
                        "attentionLogitCap", "must be positive or null, got " + attentionLogitCap);
            }
        }

        @Override
        protected MultiheadAttention create() {
            return new MultiheadAttention(this);
        }
    }

    /** A new config; set {@code numHeads} (the parent sets {@code inputDim}). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final Dropout dropout;
    private final RotaryEmbedding rotary;

    private MultiheadAttention(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        heads = cfg.numHeads;
        kvHeads = cfg.kvHeads();
        headDim = cfg.headDim();
        scale = (float) (cfg.queryScale != null ? cfg.queryScale : 1 / Math.sqrt(headDim));
        int out = cfg.outputDim == null ? cfg.inputDim : cfg.outputDim;
        qProj =
                child(
                        "q_proj",
                        cfg.projection,
                        c -> c.inputDim(cfg.inputDim).outputDim(heads * headDim));
        kProj =
                child(
                        "k_proj",
                        cfg.projection,
                        c -> c.inputDim(cfg.inputDim).outputDim(kvHeads * headDim));
        vProj =
                child(
                        "v_proj",
                        cfg.projection,
                        c -> c.inputDim(cfg.inputDim).outputDim(kvHeads * headDim));
        oProj = child("o_proj", cfg.projection, c -> c.inputDim(heads * headDim).outputDim(out));
        dropout = child("dropout", cfg.dropout);
        rotary = cfg.rotary == null ? null : child("rotary", cfg.rotary, c -> c.dim(headDim));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * Attends from {@code input.query()} to {@code input.source()}; adds the causal mask when
     * configured and {@code input.bias()} when given.
     *
     * @param ctx this layer's context
     * @param input the query, the optional key/value sequence and bias, and whether to return
     *     probabilities
     * @return {@code [B, T, outputDim]}, and the probabilities {@code [B, N, T, S]} when asked
     */
    public AttentionOutput forward(ForwardContext ctx, AttentionInput input) {
        Shape qs = input.query().getShape();
        requireScoresFit(qs.get(0), qs.get(1), input.source().getShape().get(1));
        NDArray q = heads(qProj.forward(ctx.child(qProj), input.query()), heads);
        NDArray k = heads(kProj.forward(ctx.child(kProj), input.source()), kvHeads);
        NDArray v = heads(vProj.forward(ctx.child(vProj), input.source()), kvHeads);
        if (rotary != null) {
            q = rotary.rotate(ctx.child(rotary), q, 0);
            k = rotary.rotate(ctx.child(rotary), k, 0);
        }
        NDArray bias = input.bias();
        if (cfg.causal) {
            long queryLength = q.getShape().get(2);
            long keyLength = k.getShape().get(2);
            // Shared by every layer and step: the mask depends on the lengths only.
            NDArray causal =
                    ctx.constant(
                            "causal/" + queryLength + "x" + keyLength,
                            m -> AttentionBias.causal(m, queryLength, keyLength, 0));
            bias = bias == null ? causal : bias.add(causal);
        }
        return attend(ctx, q, k, v, bias, input.returnProbabilities());
    }

    /**
     * Refuses attention whose float32 scores {@code [B, N, T, S]} alone would take more than this
     * machine's memory, with the sizes, instead of an allocation failure deep in the engine.
     */
    private void requireScoresFit(long batch, long queryLen, long keyLen) {
        double bytes = 4.0 * batch * heads * queryLen * keyLen;
        long memory = MachineMemory.BYTES;
        if (bytes > memory) {
            throw new ConfigException(
                    String.format(
                            java.util.Locale.ROOT,
                            "%sattention scores [%d, %d, %d, %d] need %.1f GB, more than this"
                                    + " machine's %.1f GB of memory; use shorter sequences"
                                    + " (seqLen) or a smaller batch",
                            cfg.path().isEmpty() ? "" : cfg.path() + ": ",
                            batch,
                            heads,
                            queryLen,
                            keyLen,
                            bytes / 1e9,
                            memory / 1e9));
        }
    }

    /**
     * One decoding step of causal self-attention: attends from {@code queryStep} (the token at
     * position {@code cache.length()}) to the cached keys and values plus its own.
     *
     * @param ctx this layer's context
     * @param cache keys and values of the earlier positions
     * @param queryStep {@code [B, 1, D]}
     * @return the output {@code [B, 1, outputDim]} and the cache one position longer
     */
    public Step extendStep(ForwardContext ctx, KvCache cache, NDArray queryStep) {
        NDArray q = heads(qProj.forward(ctx.child(qProj), queryStep), heads);
        NDArray k = heads(kProj.forward(ctx.child(kProj), queryStep), kvHeads);
        NDArray v = heads(vProj.forward(ctx.child(vProj), queryStep), kvHeads);
        if (rotary != null) {
            q = rotary.rotate(ctx.child(rotary), q, cache.length());
            k = rotary.rotate(ctx.child(rotary), k, cache.length());
        }
        NDArray keys = cache.key() == null ? k : NDArrays.concat(new NDList(cache.key(), k), 2);
        NDArray values =
                cache.value() == null ? v : NDArrays.concat(new NDList(cache.value(), v), 2);
        AttentionOutput out = attend(ctx, q, keys, values, null, false);
        return new Step(out.data(), new KvCache(keys, values, cache.length() + 1));
    }

    /**
     * Output of a decoding step.
     *
     * @param data {@code [B, 1, outputDim]}
     * @param cache the cache including this step
     */
    public record Step(NDArray data, KvCache cache) {}

    /** {@code [B, L, heads*H]} to {@code [B, heads, L, H]}. */
    private NDArray heads(NDArray x, int n) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), n, headDim).transpose(0, 2, 1, 3);
    }

    private AttentionOutput attend(
            ForwardContext ctx,
            NDArray q,
            NDArray k,
            NDArray v,
            NDArray bias,
            boolean returnProbs) {
        Shape qs = q.getShape();
        long batch = qs.get(0);
        long queryLen = qs.get(2);
        if (kvHeads != heads) {
            k = repeatKv(k);
            v = repeatKv(v);
        }
        // Engine-owned constants: autograd keeps them for the backward pass (OwnedArrays).
        NDArray logits = q.mul(OwnedArrays.scalar(q, scale)).matMul(k.transpose(0, 1, 3, 2));
        if (cfg.attentionLogitCap != null) {
            float cap = cfg.attentionLogitCap.floatValue();
            logits = logits.div(OwnedArrays.scalar(logits, cap)).tanh();
            logits = logits.mul(OwnedArrays.scalar(logits, cap));
        }
        if (bias != null) {
            logits = logits.add(bias);
        }
        NDArray probs = logits.softmax(-1);
        NDArray context = dropout.forward(ctx.child(dropout), probs).matMul(v);
        NDArray merged =
                context.transpose(0, 2, 1, 3).reshape(batch, queryLen, (long) heads * headDim);
        return new AttentionOutput(
                oProj.forward(ctx.child(oProj), merged), returnProbs ? probs : null);
    }

    /**
     * {@code [B, K, S, H]} to {@code [B, N, S, H]}, each kv head serving {@code N/K} query heads.
     */
    private NDArray repeatKv(NDArray x) {
        Shape s = x.getShape();
        int group = heads / kvHeads;
        return x.expandDims(2)
                .broadcast(new Shape(s.get(0), kvHeads, group, s.get(2), s.get(3)))
                .reshape(s.get(0), heads, s.get(2), s.get(3));
    }

    /** This machine's memory, read once (the JDK reads /proc and the cgroup files on each call). */
    private static final class MachineMemory {
        static final long BYTES =
                ((com.sun.management.OperatingSystemMXBean)
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                        .getTotalMemorySize();
    }
}

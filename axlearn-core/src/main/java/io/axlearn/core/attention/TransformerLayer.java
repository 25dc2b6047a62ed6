package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.BaseNorm;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * A Transformer layer: self-attention then feed-forward, each with a residual connection, a norm
 * and residual dropout. {@code PRE_NORM} (GPT-2 and later): {@code x + drop(f(norm(x)))}; {@code
 * POST_NORM} (original Transformer, BERT): {@code norm(x + drop(f(x)))}.
 *
 * <p>Children: {@code attention_norm}, {@code self_attention}, {@code feed_forward_norm}, {@code
 * feed_forward}, {@code dropout}. Shapes: {@code [B, T, inputDim]} in and out.
 */
public final class TransformerLayer extends BaseLayer {

    /** Where the norms sit. */
    public enum Structure {
        /** Norm before each sub-layer, inside the residual branch. */
        PRE_NORM,
        /** Norm after each residual sum. */
        POST_NORM
    }

    /** Config of {@link TransformerLayer}. */
    public static final class Config extends BaseLayer.Config<Config, TransformerLayer> {
        /** Model dimension; parent-owned. */
        @Required private Integer inputDim;

        /** Self-attention; the layer writes its {@code inputDim}. Set {@code numHeads} here. */
        private MultiheadAttention.Config selfAttention = MultiheadAttention.config();

        /** Feed-forward block; the layer writes its {@code inputDim}. */
        private FeedForward.Config feedForward = FeedForward.config();

        /** Norm used before (or after) both sub-layers; LayerNorm or RmsNorm. */
        private BaseNorm.Config<?, ?> norm = LayerNorm.config();

        /** Norm placement. */
        private Structure structure = Structure.PRE_NORM;

        /** Dropout on each residual branch. */
        private Dropout.Config dropout = Dropout.config();

        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        public Config selfAttention(MultiheadAttention.Config v) {
            return set(() -> selfAttention = v.copy());
        }

        public Config feedForward(FeedForward.Config v) {
            return set(() -> feedForward = v.copy());
        }

        public Config norm(BaseNorm.Config<?, ?> v) {
            return set(() -> norm = v.copy());
        }

        public Config structure(Structure v) {
            return set(() -> structure = v);
        }

        public Config dropout(Dropout.Config v) {
            return set(() -> dropout = v.copy());
        }

        /** The self-attention config. */
        public MultiheadAttention.Config selfAttention() {
            return selfAttention;
        }

        @Override
        protected TransformerLayer create() {
            return new TransformerLayer(this);
        }
    }

    /** A new config (the parent sets {@code inputDim}; set {@code selfAttention.numHeads}). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final BaseNorm attentionNorm;
    private final MultiheadAttention attention;
    private final BaseNorm feedForwardNorm;
    private final FeedForward feedForward;
    private final Dropout dropout;

    private TransformerLayer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        attentionNorm = child("attention_norm", cfg.norm, c -> c.inputDim(cfg.inputDim));
        attention = child("self_attention", cfg.selfAttention, c -> c.inputDim(cfg.inputDim));
        feedForwardNorm = child("feed_forward_norm", cfg.norm, c -> c.inputDim(cfg.inputDim));
        feedForward = child("feed_forward", cfg.feedForward, c -> c.inputDim(cfg.inputDim));
        dropout = child("dropout", cfg.dropout);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * @param ctx this layer's context
     * @param x {@code [B, T, inputDim]}
     * @param bias additive attention bias (padding, segments) or {@code null}; causal masking is
     *     the attention config's {@code causal}
     */
    public NDArray forward(ForwardContext ctx, NDArray x, NDArray bias) {
        return apply(ctx, x, h -> attention.forward(ctx.child("self_attention"), h, bias).data());
    }

    /**
     * One decoding step.
     *
     * @param ctx this layer's context
     * @param cache the attention's cache
     * @param xStep {@code [B, 1, inputDim]}
     */
    public Step extendStep(ForwardContext ctx, KvCache cache, NDArray xStep) {
        KvCache[] next = new KvCache[1];
        NDArray y =
                apply(
                        ctx,
                        xStep,
                        h -> {
                            MultiheadAttention.Step s =
                                    attention.extendStep(ctx.child("self_attention"), cache, h);
                            next[0] = s.cache();
                            return s.data();
                        });
        return new Step(y, next[0]);
    }

    /**
     * Output of a decoding step.
     *
     * @param data {@code [B, 1, inputDim]}
     * @param cache the attention cache including this step
     */
    public record Step(NDArray data, KvCache cache) {}

    private NDArray apply(
            ForwardContext ctx, NDArray x, java.util.function.UnaryOperator<NDArray> attend) {
        ForwardContext drop = ctx.child("dropout");
        if (cfg.structure == Structure.PRE_NORM) {
            NDArray h =
                    x.add(
                            dropout.forward(
                                    drop,
                                    attend.apply(
                                            attentionNorm.forward(
                                                    ctx.child("attention_norm"), x))));
            NDArray f =
                    feedForward.forward(
                            ctx.child("feed_forward"),
                            feedForwardNorm.forward(ctx.child("feed_forward_norm"), h));
            return h.add(dropout.forward(drop, f));
        }
        NDArray h =
                attentionNorm.forward(
                        ctx.child("attention_norm"), x.add(dropout.forward(drop, attend.apply(x))));
        NDArray f = feedForward.forward(ctx.child("feed_forward"), h);
        return feedForwardNorm.forward(
                ctx.child("feed_forward_norm"), h.add(dropout.forward(drop, f)));
    }
}

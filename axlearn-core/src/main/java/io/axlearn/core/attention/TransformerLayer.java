package io.axlearn.core.attention;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.BaseNorm;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.StochasticDepth;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import java.util.Objects;

/**
 * A Transformer layer: self-attention then feed-forward, each with a residual connection, a norm,
 * residual dropout and stochastic depth. {@code PRE_NORM} (GPT-2 and later): {@code x +
 * sd(drop(f(norm(x))))}; {@code POST_NORM} (original Transformer, BERT): {@code norm(x +
 * sd(drop(f(x))))}.
 *
 * <p>Children: {@code attention_norm}, {@code self_attention}, {@code attention_dropout}, {@code
 * attention_stochastic_depth}, {@code feed_forward_norm}, {@code feed_forward}, {@code
 * feed_forward_dropout}, {@code feed_forward_stochastic_depth} (each branch has its own dropout and
 * stochastic-depth stream). Shapes: {@code [B, T, inputDim]} in and out.
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

        /** Dropout on each residual branch (one stream per branch). */
        private Dropout.Config dropout = Dropout.config();

        /**
         * Stochastic depth (drop path) on each residual branch, after its dropout; off by default
         * ({@code rate = 0}). A deep stack usually scales the rate with depth (see {@link
         * StackedTransformer#depthScaledStochasticDepth}).
         */
        private StochasticDepth.Config stochasticDepth = StochasticDepth.config();

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

        public Config stochasticDepth(StochasticDepth.Config v) {
            return set(() -> stochasticDepth = v.copy());
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
    private final Dropout attentionDropout;
    private final StochasticDepth attentionDepth;
    private final BaseNorm feedForwardNorm;
    private final FeedForward feedForward;
    private final Dropout feedForwardDropout;
    private final StochasticDepth feedForwardDepth;

    private TransformerLayer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        attentionNorm = child("attention_norm", cfg.norm, c -> c.inputDim(cfg.inputDim));
        attention = child("self_attention", cfg.selfAttention, c -> c.inputDim(cfg.inputDim));
        attentionDropout = child("attention_dropout", cfg.dropout);
        attentionDepth = child("attention_stochastic_depth", cfg.stochasticDepth);
        feedForwardNorm = child("feed_forward_norm", cfg.norm, c -> c.inputDim(cfg.inputDim));
        feedForward = child("feed_forward", cfg.feedForward, c -> c.inputDim(cfg.inputDim));
        feedForwardDropout = child("feed_forward_dropout", cfg.dropout);
        feedForwardDepth = child("feed_forward_stochastic_depth", cfg.stochasticDepth);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * Self-attention without a bias (the causal mask is the attention config's {@code causal}).
     *
     * @param ctx this layer's context
     * @param x {@code [B, T, inputDim]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        return layer(ctx, x, (c, h) -> selfAttend(c, AttentionInput.self(h))).data();
    }

    /**
     * Self-attention with an additive attention bias.
     *
     * @param ctx this layer's context
     * @param x {@code [B, T, inputDim]}
     * @param bias padding or segment bias broadcastable to {@code [B, N, T, T]} (see {@link
     *     AttentionBias})
     */
    public NDArray forward(ForwardContext ctx, NDArray x, NDArray bias) {
        Objects.requireNonNull(bias, "bias (use forward(ctx, x) for none)");
        return layer(ctx, x, (c, h) -> selfAttend(c, AttentionInput.self(h).withBias(bias))).data();
    }

    /**
     * One decoding step.
     *
     * @param ctx this layer's context
     * @param cache the attention's cache
     * @param xStep {@code [B, 1, inputDim]}
     */
    public Step extendStep(ForwardContext ctx, KvCache cache, NDArray xStep) {
        MultiheadAttention.Step out =
                layer(ctx, xStep, (c, h) -> attention.extendStep(c, cache, h));
        return new Step(out.data(), out.cache());
    }

    /**
     * Output of a decoding step.
     *
     * @param data {@code [B, 1, inputDim]}
     * @param cache the attention cache including this step
     */
    public record Step(NDArray data, KvCache cache) {}

    /** The self-attention sub-layer: maps its (normed) input to its output and maybe a cache. */
    @FunctionalInterface
    private interface SelfAttention {
        MultiheadAttention.Step apply(ForwardContext attentionCtx, NDArray h);
    }

    private MultiheadAttention.Step selfAttend(ForwardContext attentionCtx, AttentionInput in) {
        return new MultiheadAttention.Step(attention.forward(attentionCtx, in).data(), null);
    }

    private MultiheadAttention.Step layer(ForwardContext ctx, NDArray x, SelfAttention attend) {
        return cfg.structure == Structure.PRE_NORM
                ? preNorm(ctx, x, attend)
                : postNorm(ctx, x, attend);
    }

    /** {@code h = x + branch(attend(norm(x)))}, then {@code h + branch(ff(norm(h)))}. */
    private MultiheadAttention.Step preNorm(ForwardContext ctx, NDArray x, SelfAttention attend) {
        MultiheadAttention.Step a =
                attend.apply(
                        ctx.child(attention), attentionNorm.forward(ctx.child(attentionNorm), x));
        NDArray h = x.add(branch(ctx, attentionDropout, attentionDepth, a.data()));
        NDArray f =
                feedForward.forward(
                        ctx.child(feedForward),
                        feedForwardNorm.forward(ctx.child(feedForwardNorm), h));
        NDArray y = h.add(branch(ctx, feedForwardDropout, feedForwardDepth, f));
        return new MultiheadAttention.Step(y, a.cache());
    }

    /** {@code h = norm(x + branch(attend(x)))}, then {@code norm(h + branch(ff(h)))}. */
    private MultiheadAttention.Step postNorm(ForwardContext ctx, NDArray x, SelfAttention attend) {
        MultiheadAttention.Step a = attend.apply(ctx.child(attention), x);
        NDArray h =
                attentionNorm.forward(
                        ctx.child(attentionNorm),
                        x.add(branch(ctx, attentionDropout, attentionDepth, a.data())));
        NDArray f = feedForward.forward(ctx.child(feedForward), h);
        NDArray y =
                feedForwardNorm.forward(
                        ctx.child(feedForwardNorm),
                        h.add(branch(ctx, feedForwardDropout, feedForwardDepth, f)));
        return new MultiheadAttention.Step(y, a.cache());
    }

    /** A residual branch's regularisers: dropout, then stochastic depth. */
    private static NDArray branch(
            ForwardContext ctx, Dropout dropout, StochasticDepth depth, NDArray x) {
        return depth.forward(ctx.child(depth), dropout.forward(ctx.child(dropout), x));
    }
}

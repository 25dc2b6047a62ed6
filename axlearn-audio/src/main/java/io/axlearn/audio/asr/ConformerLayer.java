package io.axlearn.audio.asr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.attention.AttentionBias;
import io.axlearn.core.attention.AttentionInput;
import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.MultiheadAttention;
import io.axlearn.core.attention.RotaryEmbedding;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.Conv1d;
import io.axlearn.core.layers.Dropout;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.ndarray.OwnedArrays;

/**
 * One conformer block (<a href="https://arxiv.org/abs/2005.08100">Gulati et al. 2020</a>, axlearn's
 * {@code ConformerLayer}): a macaron pair of half-step feed-forward modules around self-attention
 * and a convolution module, each pre-normed with a residual connection, then a final norm:
 *
 * <pre>
 * x = x + 0.5 * ff_start(ff_start_norm(x))
 * x = x + self_attention(attention_norm(x))          (rotary positions, padding masked)
 * x = x + conv(conv_norm(x))                         (pointwise, GLU, depthwise, norm, SiLU, pointwise)
 * x = x + 0.5 * ff_end(ff_end_norm(x))
 * y = output_norm(x)
 * </pre>
 *
 * <p>Positions are rotary (<a href="https://arxiv.org/abs/2104.09864">Su et al. 2021</a>) instead
 * of Transformer-XL relative encodings; the depthwise convolution's norm is a LayerNorm instead of
 * a BatchNorm, so padding never enters a statistic. Padded steps are zeroed before the depthwise
 * convolution so they do not leak into real ones. Each residual branch ends in its own dropout
 * ({@code *_dropout}). Input and output {@code [B, T, inputDim]}, valid mask {@code [B, T]}.
 */
public final class ConformerLayer extends BaseLayer {

    /** Config of {@link ConformerLayer}. */
    public static final class Config extends BaseLayer.Config<Config, ConformerLayer> {
        /** Model dimension; parent-owned. */
        @Required private Integer inputDim;

        /** Attention heads; must divide {@code inputDim}. */
        @Required private Integer numHeads;

        /** Feed-forward hidden dimension as a multiple of {@code inputDim}. */
        private int feedForwardFactor = 4;

        /** Depthwise convolution kernel size in steps (odd; the paper uses 31 at 40 ms steps). */
        private int convKernelSize = 15;

        /**
         * Dropout rate of every residual branch, attention probabilities and feed-forward hidden.
         */
        private double dropout = 0.1;

        /** Sets the model dimension. */
        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        /** Sets the head count. */
        public Config numHeads(int v) {
            return set(() -> numHeads = v);
        }

        /** Sets the feed-forward factor. */
        public Config feedForwardFactor(int v) {
            return set(() -> feedForwardFactor = v);
        }

        /** Sets the convolution kernel size. */
        public Config convKernelSize(int v) {
            return set(() -> convKernelSize = v);
        }

        /** Sets the dropout rate. */
        public Config dropout(double v) {
            return set(() -> dropout = v);
        }

        @Override
        protected void validate() {
            if (inputDim % numHeads != 0) {
                throw invalid("numHeads", numHeads + " does not divide inputDim " + inputDim);
            }
            if (convKernelSize % 2 == 0 || convKernelSize <= 0) {
                throw invalid("convKernelSize", "must be odd and positive, got " + convKernelSize);
            }
            if (dropout < 0 || dropout >= 1) {
                throw invalid("dropout", "must be in [0, 1), got " + dropout);
            }
        }

        @Override
        protected ConformerLayer create() {
            return new ConformerLayer(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final LayerNorm ffStartNorm;
    private final FeedForward ffStart;
    private final Dropout ffStartDropout;
    private final LayerNorm attentionNorm;
    private final MultiheadAttention attention;
    private final Dropout attentionDropout;
    private final LayerNorm convNorm;
    private final Linear pointwise1;
    private final Conv1d depthwise;
    private final LayerNorm depthwiseNorm;
    private final Linear pointwise2;
    private final Dropout convDropout;
    private final LayerNorm ffEndNorm;
    private final FeedForward ffEnd;
    private final Dropout ffEndDropout;
    private final LayerNorm outputNorm;

    private ConformerLayer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        int d = cfg.inputDim;
        LayerNorm.Config norm = LayerNorm.config().eps(1e-5);
        Dropout.Config drop = Dropout.config().rate(cfg.dropout);
        FeedForward.Config ff =
                FeedForward.config()
                        .hiddenDim(cfg.feedForwardFactor * d)
                        .activation(Activation.SILU)
                        .dropout(drop);
        ffStartNorm = child("ff_start_norm", norm, c -> c.inputDim(d));
        ffStart = child("ff_start", ff, c -> c.inputDim(d));
        ffStartDropout = child("ff_start_dropout", drop);
        attentionNorm = child("attention_norm", norm, c -> c.inputDim(d));
        attention =
                child(
                        "self_attention",
                        MultiheadAttention.config()
                                .numHeads(cfg.numHeads)
                                .rotary(RotaryEmbedding.config())
                                .dropout(drop),
                        c -> c.inputDim(d));
        attentionDropout = child("attention_dropout", drop);
        convNorm = child("conv_norm", norm, c -> c.inputDim(d));
        pointwise1 = child("pointwise1", Linear.config(), c -> c.inputDim(d).outputDim(2 * d));
        depthwise =
                child(
                        "depthwise",
                        Conv1d.config().kernelSize(cfg.convKernelSize).groups(d),
                        c -> c.inputDim(d).outputDim(d));
        depthwiseNorm = child("depthwise_norm", norm, c -> c.inputDim(d));
        pointwise2 = child("pointwise2", Linear.config(), c -> c.inputDim(d).outputDim(d));
        convDropout = child("conv_dropout", drop);
        ffEndNorm = child("ff_end_norm", norm, c -> c.inputDim(d));
        ffEnd = child("ff_end", ff, c -> c.inputDim(d));
        ffEndDropout = child("ff_end_dropout", drop);
        outputNorm = child("output_norm", norm, c -> c.inputDim(d));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * The block's output.
     *
     * @param x {@code [B, T, inputDim]}
     * @param valid {@code [B, T]}, true at real steps
     */
    public NDArray forward(ForwardContext ctx, NDArray x, NDArray valid) {
        NDArray h =
                ffStart.forward(ctx.child(ffStart), ffStartNorm.forward(ctx.child(ffStartNorm), x));
        x = x.add(ffStartDropout.forward(ctx.child(ffStartDropout), h).mul(half(h)));

        NDArray a = attentionNorm.forward(ctx.child(attentionNorm), x);
        a =
                attention
                        .forward(
                                ctx.child(attention),
                                AttentionInput.self(a).withBias(AttentionBias.padding(valid)))
                        .data();
        x = x.add(attentionDropout.forward(ctx.child(attentionDropout), a));

        x = x.add(convDropout.forward(ctx.child(convDropout), convolution(ctx, x, valid)));

        h = ffEnd.forward(ctx.child(ffEnd), ffEndNorm.forward(ctx.child(ffEndNorm), x));
        x = x.add(ffEndDropout.forward(ctx.child(ffEndDropout), h).mul(half(h)));
        return outputNorm.forward(ctx.child(outputNorm), x);
    }

    /**
     * The macaron half step as an engine-owned scalar: a Java {@code 0.5f} operand would be freed
     * under the autograd graph (see {@link OwnedArrays}), and the backward pass would multiply by
     * whatever memory replaced it.
     */
    private static NDArray half(NDArray like) {
        return OwnedArrays.scalar(like, 0.5f);
    }

    /** The convolution module's branch (before its dropout). */
    private NDArray convolution(ForwardContext ctx, NDArray x, NDArray valid) {
        int d = cfg.inputDim;
        NDArray h =
                pointwise1.forward(ctx.child(pointwise1), convNorm.forward(ctx.child(convNorm), x));
        NDArray glu =
                Activation.SIGMOID
                        .apply(h.get(new NDIndex("..., " + d + ":")))
                        .mul(h.get(new NDIndex("..., :" + d)));
        glu = glu.mul(valid.toType(DataType.FLOAT32, false).expandDims(-1));
        NDArray c =
                depthwise.forward(ctx.child(depthwise), glu.transpose(0, 2, 1)).transpose(0, 2, 1);
        c = Activation.SILU.apply(depthwiseNorm.forward(ctx.child(depthwiseNorm), c));
        return pointwise2.forward(ctx.child(pointwise2), c);
    }
}

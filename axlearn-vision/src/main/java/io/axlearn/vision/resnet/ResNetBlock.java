package io.axlearn.vision.resnet;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.BatchNorm;
import io.axlearn.core.layers.Conv2d;
import io.axlearn.core.layers.ConvPadding;
import io.axlearn.core.layers.StochasticDepth;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import java.util.List;
import java.util.Map;

/**
 * One residual block of He et al. 2015 (https://arxiv.org/abs/1512.03385), as torchvision's {@code
 * BasicBlock} / {@code Bottleneck} (stride on the 3x3 convolution, "ResNet v1.5"):
 *
 * <ul>
 *   <li>basic: {@code relu(x' + bn2(conv2_3x3(relu(bn1(conv1_3x3(x))))))};
 *   <li>bottleneck: 1x1 to {@code outputDim / 4}, 3x3, 1x1 to {@code outputDim}, each with
 *       BatchNorm;
 * </ul>
 *
 * where {@code x'} is {@code x}, or a 1x1 strided projection + BatchNorm ({@code shortcut_conv},
 * {@code shortcut_norm}) when the stride or channel count changes. The residual branch passes
 * through stochastic depth (Huang et al. 2016) before the sum. Convolutions have no bias.
 *
 * <p>Shapes: input {@code [N, inputDim, H, W]}, output {@code [N, outputDim, H/stride, W/stride]}.
 */
public final class ResNetBlock extends BaseLayer {
    /** The two block kinds. */
    public enum Kind {
        /** Two 3x3 convolutions (ResNet-18/34). */
        BASIC,
        /** 1x1, 3x3, 1x1 with a 4x narrower middle (ResNet-50 and deeper). */
        BOTTLENECK
    }

    /** Config of {@link ResNetBlock}. */
    public static final class Config extends BaseLayer.Config<Config, ResNetBlock> {
        /** Input channels; written by the parent. */
        @Required private Integer inputDim;

        /** Output channels. */
        @Required private Integer outputDim;

        /** Stride of the 3x3 convolution and the shortcut (1 or 2). */
        private int stride = 1;

        /** Basic or bottleneck. */
        private Kind kind = Kind.BASIC;

        /** Probability of dropping the residual branch of a training example, in [0, 1). */
        private double stochasticDepthRate = 0;

        /** Template of every BatchNorm; the {@code inputDim} is written per use. */
        private BatchNorm.Config norm = defaultNorm();

        /** Sets the BatchNorm template (copied). */
        public Config norm(BatchNorm.Config v) {
            return set(() -> norm = v.copy());
        }

        /** Sets the input channels. */
        public Config inputDim(int v) {
            return set(() -> inputDim = v);
        }

        /** Sets the output channels. */
        public Config outputDim(int v) {
            return set(() -> outputDim = v);
        }

        /** Sets the stride. */
        public Config stride(int v) {
            return set(() -> stride = v);
        }

        /** Sets the kind. */
        public Config kind(Kind v) {
            return set(() -> kind = v);
        }

        /** Sets the stochastic depth rate. */
        public Config stochasticDepthRate(double v) {
            return set(() -> stochasticDepthRate = v);
        }

        @Override
        protected void validate() {
            if (inputDim <= 0 || outputDim <= 0) {
                throw invalid(
                        "outputDim",
                        "channels must be positive, got " + inputDim + " -> " + outputDim);
            }
            if (kind == Kind.BOTTLENECK && outputDim % 4 != 0) {
                throw invalid(
                        "outputDim", "a bottleneck block needs a multiple of 4, got " + outputDim);
            }
            if (stride < 1) {
                throw invalid("stride", "must be positive, got " + stride);
            }
            if (!(stochasticDepthRate >= 0 && stochasticDepthRate < 1)) {
                throw invalid(
                        "stochasticDepthRate", "must be in [0, 1), got " + stochasticDepthRate);
            }
        }

        @Override
        protected ResNetBlock create() {
            return new ResNetBlock(this);
        }
    }

    /**
     * The BatchNorm of ResNets unless set: decay 0.9, torchvision's momentum 0.1. With axlearn's
     * 0.999 the moving statistics of a run of a few thousand steps still remember their initial
     * values.
     */
    public static BatchNorm.Config defaultNorm() {
        return BatchNorm.config().decay(0.9);
    }

    /** A new config with the defaults. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final Conv2d[] convs;
    private final BatchNorm[] norms;
    private final Conv2d shortcutConv;
    private final BatchNorm shortcutNorm;
    private final StochasticDepth stochasticDepth;

    private ResNetBlock(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        int[] dims;
        int[] kernels;
        if (cfg.kind == Kind.BASIC) {
            dims = new int[] {cfg.inputDim, cfg.outputDim, cfg.outputDim};
            kernels = new int[] {3, 3};
        } else {
            int mid = cfg.outputDim / 4;
            dims = new int[] {cfg.inputDim, mid, mid, cfg.outputDim};
            kernels = new int[] {1, 3, 1};
        }
        convs = new Conv2d[kernels.length];
        norms = new BatchNorm[kernels.length];
        for (int i = 0; i < kernels.length; i++) {
            int k = kernels[i];
            int in = dims[i];
            int out = dims[i + 1];
            // Only the first 3x3 convolution strides: conv1 of a basic block, conv2 of a
            // bottleneck.
            int stride = i == (cfg.kind == Kind.BASIC ? 0 : 1) ? cfg.stride : 1;
            convs[i] = child("conv" + (i + 1), conv(in, out, k, stride), c -> {});
            norms[i] = child("norm" + (i + 1), cfg.norm, c -> c.inputDim(out));
        }
        if (cfg.stride != 1 || !cfg.inputDim.equals(cfg.outputDim)) {
            shortcutConv =
                    child(
                            "shortcut_conv",
                            conv(cfg.inputDim, cfg.outputDim, 1, cfg.stride),
                            c -> {});
            shortcutNorm = child("shortcut_norm", cfg.norm, c -> c.inputDim(cfg.outputDim));
        } else {
            shortcutConv = null;
            shortcutNorm = null;
        }
        stochasticDepth =
                child(
                        "stochastic_depth",
                        StochasticDepth.config(),
                        c -> c.rate(cfg.stochasticDepthRate));
    }

    /** A bias-free square convolution padded by {@code kernel / 2} on each side (as torch). */
    static Conv2d.Config conv(int in, int out, int kernel, int stride) {
        int p = kernel / 2;
        return Conv2d.config()
                .inputDim(in)
                .outputDim(out)
                .kernelSize(kernel, kernel)
                .strides(stride, stride)
                .padding(new ConvPadding.Explicit(List.of(List.of(p, p), List.of(p, p))))
                .bias(false);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        return Map.of();
    }

    /**
     * @param ctx this block's context
     * @param x {@code [N, inputDim, H, W]}
     * @return {@code [N, outputDim, H/stride, W/stride]}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        NDArray h = x;
        for (int i = 0; i < convs.length; i++) {
            h = norms[i].forward(ctx.child(norms[i]), convs[i].forward(ctx.child(convs[i]), h));
            if (i < convs.length - 1) {
                h = Activation.RELU.apply(h);
            }
        }
        NDArray shortcut =
                shortcutConv == null
                        ? x
                        : shortcutNorm.forward(
                                ctx.child(shortcutNorm),
                                shortcutConv.forward(ctx.child(shortcutConv), x));
        h = stochasticDepth.forward(ctx.child(stochasticDepth), h);
        return Activation.RELU.apply(h.add(shortcut));
    }
}

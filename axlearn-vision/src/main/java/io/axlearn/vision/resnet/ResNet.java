package io.axlearn.vision.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.Required;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.BatchNorm;
import io.axlearn.core.layers.Conv2d;
import io.axlearn.core.layers.ConvPadding;
import io.axlearn.core.layers.Pool2d;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.vision.classifier.ImageEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ResNet backbone (He et al. 2015, https://arxiv.org/abs/1512.03385): a stem, then stages of {@link
 * ResNetBlock}s whose first block strides by 2 (except in the first stage) and projects the
 * shortcut. Children: {@code stem_conv}, {@code stem_norm}, then {@code stage<i>_block<j>}.
 *
 * <p>Stems: {@link Stem#IMAGENET} is a 7x7 stride-2 convolution, BatchNorm, ReLU and a 3x3 stride-2
 * max pool (224 px inputs); {@link Stem#SMALL} is a 3x3 stride-1 convolution, BatchNorm and ReLU
 * (28-32 px inputs, CIFAR style). Stochastic depth rises linearly from 0 at the first block to
 * {@code stochasticDepthRate} at the last.
 *
 * <p>Shapes: input {@code [N, inputDim, H, W]}, output {@code [N, stageDims.last, H', W']} with
 * {@code H' = H / 2^(stages-1)} for the small stem and {@code H / 2^(stages+1)} for the ImageNet
 * stem; {@link #encode} averages the last feature map over {@code H', W'} (torchvision's {@code
 * avgpool}) to {@code [N, stageDims.last]}.
 */
public final class ResNet extends ImageEncoder {
    /** The stem variants. */
    public enum Stem {
        /** 7x7/2 convolution and 3x3/2 max pool. */
        IMAGENET,
        /** 3x3/1 convolution. */
        SMALL
    }

    /** Config of {@link ResNet}. */
    public static final class Config extends ImageEncoder.Config<Config, ResNet> {
        /** The stem. */
        private Stem stem = Stem.IMAGENET;

        /** Output channels of the stem. */
        private int stemDim = 64;

        /** Blocks per stage. */
        @Required private List<Integer> blocksPerStage;

        /** Output channels of each stage's blocks (as many as stages). */
        @Required private List<Integer> stageDims;

        /** Basic or bottleneck blocks. */
        private ResNetBlock.Kind blockKind = ResNetBlock.Kind.BASIC;

        /** Stochastic depth rate of the last block, in [0, 1). */
        private double stochasticDepthRate = 0;

        /**
         * Template of every BatchNorm, the stem's and each block's ({@link
         * ResNetBlock#defaultNorm()} unless set); the {@code inputDim} is written per use.
         */
        private BatchNorm.Config norm = ResNetBlock.defaultNorm();

        /** Sets the BatchNorm template (copied). */
        public Config norm(BatchNorm.Config v) {
            return set(() -> norm = v.copy());
        }

        /** Sets the stem. */
        public Config stem(Stem v) {
            return set(() -> stem = v);
        }

        /** Sets the stem's output channels. */
        public Config stemDim(int v) {
            return set(() -> stemDim = v);
        }

        /** Sets blocks per stage. */
        public Config blocksPerStage(List<Integer> v) {
            return set(() -> blocksPerStage = List.copyOf(v));
        }

        /** Sets the stages' output channels. */
        public Config stageDims(List<Integer> v) {
            return set(() -> stageDims = List.copyOf(v));
        }

        /** Sets the block kind. */
        public Config blockKind(ResNetBlock.Kind v) {
            return set(() -> blockKind = v);
        }

        /** Sets the last block's stochastic depth rate. */
        public Config stochasticDepthRate(double v) {
            return set(() -> stochasticDepthRate = v);
        }

        /** Output channels of the backbone. */
        @Override
        public int outputDim() {
            return stageDims.get(stageDims.size() - 1);
        }

        @Override
        protected void validate() {
            super.validate();
            if (blocksPerStage.isEmpty() || blocksPerStage.size() != stageDims.size()) {
                throw invalid(
                        "stageDims",
                        "needs one width per stage: "
                                + blocksPerStage.size()
                                + " stages, "
                                + stageDims.size()
                                + " widths");
            }
            for (int b : blocksPerStage) {
                if (b <= 0) {
                    throw invalid("blocksPerStage", "must be positive, got " + blocksPerStage);
                }
            }
            if (!(stochasticDepthRate >= 0 && stochasticDepthRate < 1)) {
                throw invalid(
                        "stochasticDepthRate", "must be in [0, 1), got " + stochasticDepthRate);
            }
        }

        @Override
        protected ResNet create() {
            return new ResNet(this);
        }
    }

    /** A new config with the defaults (ImageNet stem, basic blocks; stages to be set). */
    public static Config config() {
        return new Config();
    }

    /** ResNet-18: basic blocks {2, 2, 2, 2} of 64-512 channels. */
    public static Config resnet18() {
        return config().blocksPerStage(List.of(2, 2, 2, 2)).stageDims(List.of(64, 128, 256, 512));
    }

    /** ResNet-34: basic blocks {3, 4, 6, 3}. */
    public static Config resnet34() {
        return config().blocksPerStage(List.of(3, 4, 6, 3)).stageDims(List.of(64, 128, 256, 512));
    }

    /** ResNet-50: bottleneck blocks {3, 4, 6, 3} of 256-2048 channels. */
    public static Config resnet50() {
        return config().blocksPerStage(List.of(3, 4, 6, 3))
                .stageDims(List.of(256, 512, 1024, 2048))
                .blockKind(ResNetBlock.Kind.BOTTLENECK);
    }

    /**
     * A small CIFAR-style ResNet for 28-32 px images: 3x3 stem, three stages of {@code blocks}
     * basic blocks of {@code width}, {@code 2*width}, {@code 4*width} channels (ResNet-20 is {@code
     * small(3, 16)}).
     */
    public static Config small(int blocks, int width) {
        return config().stem(Stem.SMALL)
                .stemDim(width)
                .blocksPerStage(List.of(blocks, blocks, blocks))
                .stageDims(List.of(width, 2 * width, 4 * width));
    }

    private final Config cfg;
    private final Conv2d stemConv;
    private final BatchNorm stemNorm;
    private final Pool2d stemPool;
    private final List<ResNetBlock> blocks = new ArrayList<>();

    private ResNet(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        boolean imagenet = cfg.stem == Stem.IMAGENET;
        stemConv =
                child(
                        "stem_conv",
                        ResNetBlock.conv(
                                cfg.inputDim(), cfg.stemDim, imagenet ? 7 : 3, imagenet ? 2 : 1),
                        c -> {});
        stemNorm = child("stem_norm", cfg.norm, c -> c.inputDim(cfg.stemDim));
        stemPool =
                imagenet
                        ? child(
                                "stem_pool",
                                Pool2d.config()
                                        .kind(Pool2d.Kind.MAX)
                                        .kernelSize(3, 3)
                                        .strides(2, 2)
                                        .padding(
                                                new ConvPadding.Explicit(
                                                        List.of(List.of(1, 1), List.of(1, 1)))),
                                c -> {})
                        : null;
        int total = cfg.blocksPerStage.stream().mapToInt(Integer::intValue).sum();
        int index = 0;
        int in = cfg.stemDim;
        for (int s = 0; s < cfg.blocksPerStage.size(); s++) {
            int out = cfg.stageDims.get(s);
            for (int b = 0; b < cfg.blocksPerStage.get(s); b++) {
                int stride = b == 0 && s > 0 ? 2 : 1;
                double rate = total == 1 ? 0 : cfg.stochasticDepthRate * index / (total - 1);
                int blockIn = in;
                blocks.add(
                        child(
                                "stage" + s + "_block" + b,
                                ResNetBlock.config(),
                                c ->
                                        c.inputDim(blockIn)
                                                .outputDim(out)
                                                .stride(stride)
                                                .kind(cfg.blockKind)
                                                .norm(cfg.norm)
                                                .stochasticDepthRate(rate)));
                in = out;
                index++;
            }
        }
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
     * @param ctx this backbone's context
     * @param x images {@code [N, inputDim, H, W]}
     * @return features {@code [N, outputDim, H', W']}
     */
    public NDArray forward(ForwardContext ctx, NDArray x) {
        NDArray h =
                Activation.RELU.apply(
                        stemNorm.forward(
                                ctx.child(stemNorm), stemConv.forward(ctx.child(stemConv), x)));
        if (stemPool != null) {
            h = stemPool.forward(ctx.child(stemPool), h);
        }
        for (ResNetBlock block : blocks) {
            h = block.forward(ctx.child(block), h);
        }
        return h;
    }

    /** The last feature map averaged over space: {@code [N, outputDim]}. */
    @Override
    public NDArray encode(ForwardContext ctx, NDArray images) {
        NDArray features = forward(ctx, images);
        Shape s = features.getShape();
        return features.reshape(s.get(0), s.get(1), -1).mean(new int[] {2});
    }
}

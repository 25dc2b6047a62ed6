package io.axlearn.vision.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.HiddenDim;
import io.axlearn.core.attention.MultiheadAttention;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.config.Required;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.init.Initializer;
import io.axlearn.core.layers.AbsolutePositionEmbedding;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.BaseNorm;
import io.axlearn.core.layers.Conv2d;
import io.axlearn.core.layers.ConvPadding;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.vision.classifier.ImageEncoder;
import java.util.Map;

/**
 * Vision Transformer encoder (Dosovitskiy et al. 2020, https://arxiv.org/abs/2010.11929; axlearn's
 * {@code vision_transformer.py}): a strided convolution cuts the image into {@code patchSize x
 * patchSize} patches and embeds each, an optional learned class token is prepended, position
 * vectors are added, a bidirectional {@link StackedTransformer} mixes the tokens and a final norm
 * follows. {@link #encode} returns the class token's vector ({@link Pooling#CLASS_TOKEN}) or the
 * mean of the patch tokens ({@link Pooling#AVERAGE}).
 *
 * <p>Children: {@code patch_embed} (Conv2d, weight {@code [dim, inputDim, p, p]} with bias), {@code
 * position_embedding} (by default learned, {@code maxPositions} = number of tokens), {@code
 * encoder}, {@code output_norm}; parameter {@code class_token} {@code [dim]} when pooling by class
 * token.
 *
 * <p>Shapes: images {@code [N, inputDim, imageSize, imageSize]}; {@link #tokens} {@code [N, T,
 * dim]} with {@code T = (imageSize / patchSize)^2} (+1 with a class token); {@link #encode} {@code
 * [N, dim]}.
 */
public final class VisionTransformer extends ImageEncoder {

    /** How the token vectors become one image vector. */
    public enum Pooling {
        /** A learned token prepended to the patches; its output vector is the image's. */
        CLASS_TOKEN,
        /** The mean of the patch tokens' output vectors (no class token). */
        AVERAGE
    }

    /** Config of {@link VisionTransformer}. */
    public static final class Config extends ImageEncoder.Config<Config, VisionTransformer> {
        /** Side of the square input images, in pixels; a multiple of {@code patchSize}. */
        @Required private Integer imageSize;

        /** Side of each square patch, in pixels (ViT-B/16: 16). */
        private int patchSize = 16;

        /** Model width {@code dim} of every token. */
        @Required private Integer dim;

        /**
         * The token mixer; the encoder writes its {@code inputDim}. Attention must not be causal;
         * set {@code numHeads} in its layer.
         */
        @Required private StackedTransformer.Config encoder;

        /**
         * Position vectors added to the tokens; the encoder writes {@code dim}, and {@code
         * maxPositions} of a learned embedding when unset. Null: none.
         */
        private AbsolutePositionEmbedding.Config<?, ?> positionEncoding =
                LearnedPositionEmbedding.config();

        /** Pooling to one vector per image. */
        private Pooling pooling = Pooling.CLASS_TOKEN;

        /** Norm after the last layer; the encoder writes {@code inputDim}. */
        private BaseNorm.Config<?, ?> outputNorm = LayerNorm.config();

        /** Sets the image side. */
        public Config imageSize(int v) {
            return set(() -> imageSize = v);
        }

        /** Sets the patch side. */
        public Config patchSize(int v) {
            return set(() -> patchSize = v);
        }

        /** Sets the model width. */
        public Config dim(int v) {
            return set(() -> dim = v);
        }

        /** Sets the Transformer stack (copied). */
        public Config encoder(StackedTransformer.Config v) {
            return set(() -> encoder = v.copy());
        }

        /** Sets the position encoding (copied; null for none). */
        public Config positionEncoding(AbsolutePositionEmbedding.Config<?, ?> v) {
            return set(() -> positionEncoding = v == null ? null : v.copy());
        }

        /** Sets the pooling. */
        public Config pooling(Pooling v) {
            return set(() -> pooling = v);
        }

        /** Sets the output norm (copied). */
        public Config outputNorm(BaseNorm.Config<?, ?> v) {
            return set(() -> outputNorm = v.copy());
        }

        /** The number of patches per image, {@code (imageSize / patchSize)^2}. */
        public int numPatches() {
            int side = imageSize / patchSize;
            return side * side;
        }

        /** The number of tokens the encoder sees: the patches, plus the class token if any. */
        public int numTokens() {
            return numPatches() + (pooling == Pooling.CLASS_TOKEN ? 1 : 0);
        }

        @Override
        public int outputDim() {
            return dim;
        }

        @Override
        protected void validate() {
            super.validate();
            if (patchSize <= 0) {
                throw invalid("patchSize", "must be positive, got " + patchSize);
            }
            if (imageSize <= 0 || imageSize % patchSize != 0) {
                throw invalid(
                        "imageSize",
                        "must be a positive multiple of patchSize "
                                + patchSize
                                + ", got "
                                + imageSize);
            }
            if (dim <= 0) {
                throw invalid("dim", "must be positive, got " + dim);
            }
            for (TransformerLayer.Config layer : encoder.layerConfigs()) {
                if (layer.selfAttention().causal()) {
                    throw invalid("encoder", "a ViT's attention must not be causal");
                }
            }
        }

        @Override
        protected VisionTransformer create() {
            return new VisionTransformer(this);
        }
    }

    /** A new config with the defaults (16 px patches, learned positions, class token). */
    public static Config config() {
        return new Config();
    }

    /**
     * A ViT of the paper's shape: pre-norm layers, GELU feed-forward of {@code 4 * dim}, dropout 0.
     *
     * @param imageSize image side in pixels
     * @param patchSize patch side in pixels
     * @param dim model width
     * @param numLayers Transformer layers
     * @param numHeads attention heads
     */
    public static Config vit(int imageSize, int patchSize, int dim, int numLayers, int numHeads) {
        TransformerLayer.Config layer =
                TransformerLayer.config()
                        .structure(TransformerLayer.Structure.PRE_NORM)
                        .selfAttention(MultiheadAttention.config().numHeads(numHeads))
                        .feedForward(
                                FeedForward.config()
                                        .hiddenDim(new HiddenDim.Scaled(4.0, 1))
                                        .activation(Activation.GELU));
        return config().imageSize(imageSize)
                .patchSize(patchSize)
                .dim(dim)
                .encoder(StackedTransformer.config().numLayers(numLayers).layer(layer));
    }

    /** ViT-Ti/16 (DeiT-tiny): 224 px, d=192, 12 layers, 3 heads (5.7M parameters). */
    public static Config tiny() {
        return vit(224, 16, 192, 12, 3);
    }

    /** ViT-S/16: 224 px, d=384, 12 layers, 6 heads (22M parameters). */
    public static Config small() {
        return vit(224, 16, 384, 12, 6);
    }

    /** ViT-B/16: 224 px, d=768, 12 layers, 12 heads (86M parameters). */
    public static Config base() {
        return vit(224, 16, 768, 12, 12);
    }

    /**
     * A small-image ViT for 28-32 px inputs (Fashion-MNIST, CIFAR): 4 px patches, d=128, 6 layers,
     * 4 heads.
     *
     * @param imageSize image side, a multiple of 4
     */
    public static Config smallImage(int imageSize) {
        return vit(imageSize, 4, 128, 6, 4);
    }

    private final Config cfg;
    private final Conv2d patchEmbed;
    private final AbsolutePositionEmbedding positionEmbedding;
    private final StackedTransformer encoder;
    private final BaseNorm outputNorm;

    private VisionTransformer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        int p = cfg.patchSize;
        patchEmbed =
                child(
                        "patch_embed",
                        Conv2d.config()
                                .inputDim(cfg.inputDim())
                                .outputDim(cfg.dim)
                                .kernelSize(p, p)
                                .strides(p, p)
                                .padding(new ConvPadding.Valid())
                                .bias(true),
                        c -> {});
        positionEmbedding =
                cfg.positionEncoding == null
                        ? null
                        : child(
                                "position_embedding",
                                cfg.positionEncoding,
                                c -> {
                                    c.dim(cfg.dim);
                                    if (c instanceof LearnedPositionEmbedding.Config learned
                                            && learned.maxPositions() == null) {
                                        learned.maxPositions(cfg.numTokens());
                                    }
                                });
        encoder = child("encoder", cfg.encoder, c -> c.inputDim(cfg.dim));
        outputNorm = child("output_norm", cfg.outputNorm, c -> c.inputDim(cfg.dim));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    protected Map<String, ParamSpec> createParamSpecs() {
        if (cfg.pooling != Pooling.CLASS_TOKEN) {
            return Map.of();
        }
        return Map.of(
                "class_token",
                ParamSpec.weight(new Shape(cfg.dim), FanAxes.NONE)
                        .withInitializer(Initializer.normal(0.02))
                        .withWeightDecayScale(0));
    }

    /**
     * The normalised output vector of every token.
     *
     * @param ctx this encoder's context
     * @param images {@code [N, inputDim, imageSize, imageSize]}
     * @return {@code [N, T, dim]}, the class token first when there is one
     * @throws IllegalArgumentException if the images are not {@code imageSize} square
     */
    public NDArray tokens(ForwardContext ctx, NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(2) != cfg.imageSize || s.get(3) != cfg.imageSize) {
            throw new IllegalArgumentException(
                    cfg.path()
                            + " expects images [N, "
                            + cfg.inputDim()
                            + ", "
                            + cfg.imageSize
                            + ", "
                            + cfg.imageSize
                            + "], got "
                            + s);
        }
        long n = s.get(0);
        NDArray patches = patchEmbed.forward(ctx.child(patchEmbed), images); // [N, D, h, w]
        NDArray h = patches.reshape(n, cfg.dim, cfg.numPatches()).transpose(0, 2, 1); // [N, P, D]
        if (cfg.pooling == Pooling.CLASS_TOKEN) {
            NDArray cls =
                    ctx.param("class_token", new Shape(1, 1, cfg.dim)).broadcast(n, 1, cfg.dim);
            h = cls.concat(h, 1);
        }
        if (positionEmbedding != null) {
            h = positionEmbedding.addTo(ctx.child(positionEmbedding), h, 0);
        }
        h = encoder.forward(ctx.child(encoder), h);
        return outputNorm.forward(ctx.child(outputNorm), h);
    }

    /** The class token's vector or the mean of the patch tokens: {@code [N, dim]}. */
    @Override
    public NDArray encode(ForwardContext ctx, NDArray images) {
        NDArray t = tokens(ctx, images);
        return cfg.pooling == Pooling.CLASS_TOKEN ? t.get(":, 0, :") : t.mean(new int[] {1});
    }
}

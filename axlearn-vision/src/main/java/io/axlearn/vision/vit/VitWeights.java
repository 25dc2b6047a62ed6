package io.axlearn.vision.vit;

import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.MultiheadAttention;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.io.Layout;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.LayerNorm;
import java.util.Collection;

/**
 * Hugging Face ViT names ({@code ViTModel}, {@code ViTForImageClassification}, the {@code
 * google/vit-*} checkpoints) against an {@link io.axlearn.vision.classifier.ImageClassifier} whose
 * encoder is a {@link VisionTransformer} built by {@link #config}:
 *
 * <pre>
 * [vit.]embeddings.cls_token [1, 1, D]                  encoder/class_token [D]
 * [vit.]embeddings.position_embeddings [1, T, D]        encoder/position_embedding/weight [T, D]
 * [vit.]embeddings.patch_embeddings.projection          encoder/patch_embed (conv, as is)
 * [vit.]encoder.layer.{i}.layernorm_before              encoder/encoder/layer{i}/attention_norm
 * [vit.]encoder.layer.{i}.attention.attention.query     .../self_attention/q_proj (weight^T; key, value)
 * [vit.]encoder.layer.{i}.attention.output.dense        .../self_attention/o_proj
 * [vit.]encoder.layer.{i}.layernorm_after               encoder/encoder/layer{i}/feed_forward_norm
 * [vit.]encoder.layer.{i}.intermediate.dense            .../feed_forward/linear1
 * [vit.]encoder.layer.{i}.output.dense                  .../feed_forward/linear2
 * [vit.]layernorm                                       encoder/output_norm
 * classifier                                            head
 * </pre>
 *
 * {@code ViTModel}'s {@code pooler} (a dense + tanh on the class token, unused by the classifier)
 * has no counterpart: convert it with unknown tensors allowed.
 */
public final class VitWeights implements WeightFamily {
    @Override
    public String name() {
        return "vit";
    }

    @Override
    public String format() {
        return "hf";
    }

    @Override
    public String description() {
        return "Hugging Face ViTModel/ViTForImageClassification <-> vision/ImageClassifier with a"
                + " vision/VisionTransformer (VitWeights.config)";
    }

    @Override
    public WeightMap forForeign(Collection<String> names) {
        boolean prefixed = names.stream().anyMatch(n -> n.startsWith("vit."));
        return map(
                prefixed ? "vit." : "",
                WeightMap.countBlocks(names, "encoder\\.layer\\.(\\d+)\\."),
                names.stream().anyMatch(n -> n.startsWith("classifier.")));
    }

    @Override
    public WeightMap forOurs(Collection<String> paths) {
        return map(
                "vit.",
                WeightMap.countBlocks(paths, "encoder/encoder/layer(\\d+)/"),
                paths.stream().anyMatch(p -> p.startsWith("head/")));
    }

    /**
     * The map of a ViT with {@code numLayers} layers.
     *
     * @param prefix foreign prefix ({@code "vit."} in ViTForImageClassification, {@code ""} in
     *     ViTModel)
     * @param numLayers encoder layers
     * @param classifier whether to map the classification head
     */
    public static WeightMap map(String prefix, int numLayers, boolean classifier) {
        String e = prefix + "embeddings.";
        WeightMap.Builder b =
                WeightMap.builder("vit")
                        .add(e + "cls_token", "encoder/class_token", Layout.leadingOnes(2))
                        .add(
                                e + "position_embeddings",
                                "encoder/position_embedding/weight",
                                Layout.leadingOnes(1))
                        .add(e + "patch_embeddings.projection.weight", "encoder/patch_embed/weight")
                        .add(e + "patch_embeddings.projection.bias", "encoder/patch_embed/bias")
                        .layerNorm(prefix + "layernorm", "encoder/output_norm");
        for (int i = 0; i < numLayers; i++) {
            String f = prefix + "encoder.layer." + i + ".";
            String o = "encoder/encoder/layer" + i + "/";
            b.layerNorm(f + "layernorm_before", o + "attention_norm")
                    .linear(f + "attention.attention.query", o + "self_attention/q_proj", true)
                    .linear(f + "attention.attention.key", o + "self_attention/k_proj", true)
                    .linear(f + "attention.attention.value", o + "self_attention/v_proj", true)
                    .linear(f + "attention.output.dense", o + "self_attention/o_proj", true)
                    .layerNorm(f + "layernorm_after", o + "feed_forward_norm")
                    .linear(f + "intermediate.dense", o + "feed_forward/linear1", true)
                    .linear(f + "output.dense", o + "feed_forward/linear2", true);
        }
        if (classifier) {
            b.linear("classifier", "head", true);
        }
        return b.build();
    }

    /**
     * A {@link VisionTransformer} with Hugging Face's {@code ViTConfig} architecture: class token,
     * learned positions, pre-norm layers with exact GELU, LayerNorm eps {@code layer_norm_eps}
     * (1e-12 in the google/vit-* checkpoints). ViT-B/16 is {@code config(224, 16, 768, 12, 12,
     * 3072, 1e-12)}.
     *
     * @param imageSize {@code image_size}
     * @param patchSize {@code patch_size}
     * @param dim {@code hidden_size}
     * @param numLayers {@code num_hidden_layers}
     * @param numHeads {@code num_attention_heads}
     * @param hiddenDim {@code intermediate_size}
     * @param eps {@code layer_norm_eps}
     */
    public static VisionTransformer.Config config(
            int imageSize,
            int patchSize,
            int dim,
            int numLayers,
            int numHeads,
            int hiddenDim,
            double eps) {
        TransformerLayer.Config layer =
                TransformerLayer.config()
                        .structure(TransformerLayer.Structure.PRE_NORM)
                        .norm(LayerNorm.config().eps(eps))
                        .selfAttention(MultiheadAttention.config().numHeads(numHeads))
                        .feedForward(
                                FeedForward.config()
                                        .hiddenDim(hiddenDim)
                                        .activation(Activation.GELU));
        return VisionTransformer.config()
                .imageSize(imageSize)
                .patchSize(patchSize)
                .dim(dim)
                .encoder(StackedTransformer.config().numLayers(numLayers).layer(layer))
                .outputNorm(LayerNorm.config().eps(eps));
    }
}

package io.axlearn.text.lm;

import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.HiddenDim;
import io.axlearn.core.attention.MultiheadAttention;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.io.Layout;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.LayerNorm;
import io.axlearn.core.layers.LearnedPositionEmbedding;
import java.util.Collection;

/**
 * Hugging Face GPT-2 names ({@code GPT2Model}, {@code GPT2LMHeadModel}) against a {@link CausalLm}
 * built by {@link #config}:
 *
 * <pre>
 * [transformer.]wte.weight                 embedding/weight (the tied output too)
 * [transformer.]wpe.weight                 position_embedding/weight
 * [transformer.]h.{i}.ln_1                 decoder/layer{i}/attention_norm
 * [transformer.]h.{i}.attn.c_attn          decoder/layer{i}/self_attention/{q,k,v}_proj (fused)
 * [transformer.]h.{i}.attn.c_proj          decoder/layer{i}/self_attention/o_proj
 * [transformer.]h.{i}.ln_2                 decoder/layer{i}/feed_forward_norm
 * [transformer.]h.{i}.mlp.c_fc             decoder/layer{i}/feed_forward/linear1
 * [transformer.]h.{i}.mlp.c_proj           decoder/layer{i}/feed_forward/linear2
 * [transformer.]ln_f                       output_norm
 * lm_head.weight                           tied to embedding/weight
 * </pre>
 *
 * GPT-2's Conv1D weights are {@code [in, out]} like ours, so nothing is transposed; {@code
 * c_attn.weight [D, 3D]} and {@code c_attn.bias [3D]} hold q, k and v side by side along the output
 * axis. The causal-mask buffers {@code attn.bias} and {@code attn.masked_bias} are dropped.
 */
public final class Gpt2Weights implements WeightFamily {
    @Override
    public String name() {
        return "gpt2";
    }

    @Override
    public String format() {
        return "hf";
    }

    @Override
    public String description() {
        return "Hugging Face GPT2Model/GPT2LMHeadModel <-> text/CausalLm (Gpt2Weights.config)";
    }

    @Override
    public WeightMap forForeign(Collection<String> names) {
        boolean prefixed = names.stream().anyMatch(n -> n.startsWith("transformer."));
        return map(prefixed ? "transformer." : "", WeightMap.countBlocks(names, "h\\.(\\d+)\\."));
    }

    @Override
    public WeightMap forOurs(Collection<String> paths) {
        return map("transformer.", WeightMap.countBlocks(paths, "decoder/layer(\\d+)/"));
    }

    /**
     * The map of a GPT-2 with {@code numLayers} blocks.
     *
     * @param prefix the foreign prefix ({@code "transformer."} in GPT2LMHeadModel, {@code ""} in
     *     GPT2Model)
     * @param numLayers blocks
     */
    public static WeightMap map(String prefix, int numLayers) {
        WeightMap.Builder b =
                WeightMap.builder("gpt2")
                        .add(prefix + "wte.weight", "embedding/weight")
                        .add(prefix + "wpe.weight", "position_embedding/weight")
                        .layerNorm(prefix + "ln_f", "output_norm")
                        .tied("lm_head.weight", "embedding/weight", Layout.AS_IS)
                        .drop(
                                java.util.regex.Pattern.quote(prefix)
                                        + "h\\.\\d+\\.attn\\.(masked_)?bias");
        for (int i = 0; i < numLayers; i++) {
            String f = prefix + "h." + i + ".";
            String o = "decoder/layer" + i + "/";
            String a = o + "self_attention/";
            b.layerNorm(f + "ln_1", o + "attention_norm")
                    .fused(
                            f + "attn.c_attn.weight",
                            1,
                            Layout.AS_IS,
                            a + "q_proj/weight",
                            a + "k_proj/weight",
                            a + "v_proj/weight")
                    .fused(
                            f + "attn.c_attn.bias",
                            0,
                            Layout.AS_IS,
                            a + "q_proj/bias",
                            a + "k_proj/bias",
                            a + "v_proj/bias")
                    .add(f + "attn.c_proj.weight", a + "o_proj/weight")
                    .add(f + "attn.c_proj.bias", a + "o_proj/bias")
                    .layerNorm(f + "ln_2", o + "feed_forward_norm")
                    .add(f + "mlp.c_fc.weight", o + "feed_forward/linear1/weight")
                    .add(f + "mlp.c_fc.bias", o + "feed_forward/linear1/bias")
                    .add(f + "mlp.c_proj.weight", o + "feed_forward/linear2/weight")
                    .add(f + "mlp.c_proj.bias", o + "feed_forward/linear2/bias");
        }
        return b.build();
    }

    /**
     * A {@link CausalLm} with GPT-2's architecture ({@code GPT2Config}): learned positions,
     * pre-norm blocks with LayerNorm eps 1e-5, a {@code 4 * dim} tanh-GELU feed-forward, the output
     * tied to the token embedding. GPT-2 small is {@code config(50257, 768, 12, 12, 1024, 0.1)}.
     *
     * @param vocabSize {@code vocab_size}
     * @param dim {@code n_embd}
     * @param numLayers {@code n_layer}
     * @param numHeads {@code n_head}
     * @param maxPositions {@code n_positions}
     * @param dropout {@code resid_pdrop} (also the attention dropout)
     */
    public static CausalLm.Config config(
            int vocabSize, int dim, int numLayers, int numHeads, int maxPositions, double dropout) {
        TransformerLayer.Config layer =
                TransformerLayer.config()
                        .structure(TransformerLayer.Structure.PRE_NORM)
                        .norm(LayerNorm.config().eps(1e-5))
                        .selfAttention(
                                MultiheadAttention.config()
                                        .numHeads(numHeads)
                                        .causal(true)
                                        .dropout(
                                                io.axlearn.core.layers.Dropout.config()
                                                        .rate(dropout)))
                        .feedForward(
                                FeedForward.config()
                                        .hiddenDim(new HiddenDim.Scaled(4, 1))
                                        .activation(Activation.GELU_TANH))
                        .dropout(io.axlearn.core.layers.Dropout.config().rate(dropout));
        return new CausalLm.Config()
                .vocabSize(vocabSize)
                .dim(dim)
                .positionEncoding(LearnedPositionEmbedding.config().maxPositions(maxPositions))
                .decoder(StackedTransformer.config().numLayers(numLayers).layer(layer))
                .outputNorm(LayerNorm.config().eps(1e-5));
    }
}

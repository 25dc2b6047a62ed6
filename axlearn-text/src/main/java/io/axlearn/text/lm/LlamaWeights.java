package io.axlearn.text.lm;

import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.MultiheadAttention;
import io.axlearn.core.attention.RotaryEmbedding;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import io.axlearn.core.layers.Activation;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.layers.RmsNorm;
import java.util.Collection;

/**
 * Hugging Face Llama names ({@code LlamaModel}, {@code LlamaForCausalLM}; Mistral and Qwen2 without
 * biases use the same) against a {@link CausalLm} built by {@link #config}:
 *
 * <pre>
 * model.embed_tokens.weight                     embedding/weight
 * model.layers.{i}.input_layernorm.weight       decoder/layer{i}/attention_norm/scale
 * model.layers.{i}.self_attn.{q,k,v,o}_proj     decoder/layer{i}/self_attention/{q,k,v,o}_proj (weight^T)
 * model.layers.{i}.post_attention_layernorm     decoder/layer{i}/feed_forward_norm/scale
 * model.layers.{i}.mlp.gate_proj                decoder/layer{i}/feed_forward/linear1_0 (weight^T)
 * model.layers.{i}.mlp.up_proj                  decoder/layer{i}/feed_forward/linear1_1
 * model.layers.{i}.mlp.down_proj                decoder/layer{i}/feed_forward/linear2
 * model.norm.weight                             output_norm/scale
 * lm_head.weight                                lm_head/weight (weight^T; absent when tied)
 * </pre>
 *
 * Hugging Face stores q and k already permuted for the "rotate half" rotary convention, which is
 * ours, and its {@code [N*H, D]} / {@code [K*H, D]} projections are our flat head layout
 * transposed, so grouped-query attention needs no head split. {@code rotary_emb.inv_freq} buffers
 * are dropped.
 */
public final class LlamaWeights implements WeightFamily {
    @Override
    public String name() {
        return "llama";
    }

    @Override
    public String format() {
        return "hf";
    }

    @Override
    public String description() {
        return "Hugging Face LlamaModel/LlamaForCausalLM <-> text/CausalLm (LlamaWeights.config)";
    }

    @Override
    public WeightMap forForeign(Collection<String> names) {
        return map(
                WeightMap.countBlocks(names, "layers\\.(\\d+)\\."),
                names.contains("lm_head.weight"));
    }

    @Override
    public WeightMap forOurs(Collection<String> paths) {
        return map(
                WeightMap.countBlocks(paths, "decoder/layer(\\d+)/"),
                paths.contains("lm_head/weight"));
    }

    /**
     * The map of a Llama with {@code numLayers} layers.
     *
     * @param numLayers decoder layers
     * @param untiedHead whether the model has its own {@code lm_head} (Llama 2/3: yes; Llama 3.2 1B
     *     and 3B tie it)
     */
    public static WeightMap map(int numLayers, boolean untiedHead) {
        WeightMap.Builder b =
                WeightMap.builder("llama")
                        .add("model.embed_tokens.weight", "embedding/weight")
                        .add("model.norm.weight", "output_norm/scale")
                        .drop("model\\.layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");
        if (untiedHead) {
            b.linear("lm_head", "lm_head", false);
        }
        for (int i = 0; i < numLayers; i++) {
            String f = "model.layers." + i + ".";
            String o = "decoder/layer" + i + "/";
            b.add(f + "input_layernorm.weight", o + "attention_norm/scale")
                    .linear(f + "self_attn.q_proj", o + "self_attention/q_proj", false)
                    .linear(f + "self_attn.k_proj", o + "self_attention/k_proj", false)
                    .linear(f + "self_attn.v_proj", o + "self_attention/v_proj", false)
                    .linear(f + "self_attn.o_proj", o + "self_attention/o_proj", false)
                    .add(f + "post_attention_layernorm.weight", o + "feed_forward_norm/scale")
                    .linear(f + "mlp.gate_proj", o + "feed_forward/linear1_0", false)
                    .linear(f + "mlp.up_proj", o + "feed_forward/linear1_1", false)
                    .linear(f + "mlp.down_proj", o + "feed_forward/linear2", false);
        }
        return b.build();
    }

    /**
     * A {@link CausalLm} with Llama's architecture ({@code LlamaConfig}): rotary positions,
     * pre-norm layers with RMSNorm, grouped-query attention, a SwiGLU feed-forward, no biases and
     * an untied head. Llama-2-7B is {@code config(32000, 4096, 32, 32, 32, 11008, 10000, 1e-5)}.
     *
     * @param vocabSize {@code vocab_size}
     * @param dim {@code hidden_size}
     * @param numLayers {@code num_hidden_layers}
     * @param numHeads {@code num_attention_heads}
     * @param numKvHeads {@code num_key_value_heads}
     * @param hiddenDim {@code intermediate_size}
     * @param theta {@code rope_theta}
     * @param eps {@code rms_norm_eps}
     */
    public static CausalLm.Config config(
            int vocabSize,
            int dim,
            int numLayers,
            int numHeads,
            int numKvHeads,
            int hiddenDim,
            double theta,
            double eps) {
        Linear.Config noBias = Linear.config().bias(false);
        TransformerLayer.Config layer =
                TransformerLayer.config()
                        .structure(TransformerLayer.Structure.PRE_NORM)
                        .norm(RmsNorm.config().eps(eps))
                        .selfAttention(
                                MultiheadAttention.config()
                                        .numHeads(numHeads)
                                        .numKvHeads(numKvHeads)
                                        .causal(true)
                                        .projection(noBias))
                        .feedForward(
                                FeedForward.config()
                                        .hiddenDim(hiddenDim)
                                        .gated(true)
                                        .activation(Activation.SILU)
                                        .linear(noBias));
        return new CausalLm.Config()
                .vocabSize(vocabSize)
                .dim(dim)
                .positionEncoding(RotaryEmbedding.config().theta(theta))
                .decoder(StackedTransformer.config().numLayers(numLayers).layer(layer))
                .outputNorm(RmsNorm.config().eps(eps))
                .lmHead(noBias);
    }
}

package io.axlearn.text.bert;

import io.axlearn.core.io.Layout;
import io.axlearn.core.io.WeightFamily;
import io.axlearn.core.io.WeightMap;
import java.util.Collection;

/**
 * Hugging Face BERT names ({@code BertModel}, {@code BertForMaskedLM}, {@code BertForPreTraining},
 * {@code BertForSequenceClassification}) against {@link BertMlm} and {@link BertClassifier}:
 *
 * <pre>
 * [bert.]embeddings.word_embeddings.weight         bert/token_embedding/weight
 * [bert.]embeddings.position_embeddings.weight     bert/position_embedding/weight
 * [bert.]embeddings.token_type_embeddings.weight   bert/type_embedding/weight
 * [bert.]embeddings.LayerNorm.{weight,bias}        bert/embedding_norm/{scale,bias}
 * [bert.]encoder.layer.{i}.attention.self.query    bert/encoder/layer{i}/self_attention/q_proj  (weight^T)
 *   ... .attention.self.key / .value               .../k_proj, .../v_proj
 *   ... .attention.output.dense                    .../self_attention/o_proj
 *   ... .attention.output.LayerNorm                bert/encoder/layer{i}/attention_norm
 *   ... .intermediate.dense                        bert/encoder/layer{i}/feed_forward/linear1
 *   ... .output.dense                              bert/encoder/layer{i}/feed_forward/linear2
 *   ... .output.LayerNorm                          bert/encoder/layer{i}/feed_forward_norm
 * [bert.]pooler.dense                              pooler/dense
 * classifier                                       classifier
 * cls.predictions.transform.dense                  mlm_head/transform
 * cls.predictions.transform.LayerNorm              mlm_head/transform_norm
 * cls.predictions.bias                             mlm_head/output_bias
 * cls.predictions.decoder.{weight,bias}            tied to the word embeddings and output_bias
 * </pre>
 *
 * Linear weights are transposed (torch {@code [out, in]}, ours {@code [in, out]}); {@code
 * embeddings.position_ids} and the next-sentence head {@code cls.seq_relationship} are dropped. The
 * pooler, classifier and MLM head are in the map when the source has them. A bare {@code BertModel}
 * (names without {@code bert.}) maps the same way; export writes the {@code bert.} prefix.
 */
public final class BertWeights implements WeightFamily {
    @Override
    public String name() {
        return "bert";
    }

    @Override
    public String format() {
        return "hf";
    }

    @Override
    public String description() {
        return "Hugging Face BertModel/BertForMaskedLM/BertForSequenceClassification <->"
                + " text/BertMlm, text/BertClassifier";
    }

    @Override
    public WeightMap forForeign(Collection<String> names) {
        boolean prefixed = names.stream().anyMatch(n -> n.startsWith("bert."));
        return map(
                prefixed ? "bert." : "",
                WeightMap.countBlocks(names, "encoder\\.layer\\.(\\d+)\\."),
                names.stream().anyMatch(n -> n.contains("pooler.")),
                names.stream().anyMatch(n -> n.startsWith("classifier.")),
                names.stream().anyMatch(n -> n.startsWith("cls.predictions.")));
    }

    @Override
    public WeightMap forOurs(Collection<String> paths) {
        return map(
                "bert.",
                WeightMap.countBlocks(paths, "encoder/layer(\\d+)/"),
                paths.stream().anyMatch(p -> p.startsWith("pooler/")),
                paths.stream().anyMatch(p -> p.startsWith("classifier/")),
                paths.stream().anyMatch(p -> p.startsWith("mlm_head/")));
    }

    /**
     * The map of a BERT with {@code numLayers} layers.
     *
     * @param prefix the foreign prefix of the encoder's names ({@code "bert."} or {@code ""})
     * @param numLayers encoder layers
     * @param pooler whether to map the pooler
     * @param classifier whether to map the sequence-classification layer
     * @param mlmHead whether to map the masked-LM head
     */
    public static WeightMap map(
            String prefix, int numLayers, boolean pooler, boolean classifier, boolean mlmHead) {
        WeightMap.Builder b = WeightMap.builder("bert");
        String e = prefix + "embeddings.";
        b.add(e + "word_embeddings.weight", "bert/token_embedding/weight")
                .add(e + "position_embeddings.weight", "bert/position_embedding/weight")
                .add(e + "token_type_embeddings.weight", "bert/type_embedding/weight")
                .layerNorm(e + "LayerNorm", "bert/embedding_norm")
                .drop(java.util.regex.Pattern.quote(e + "position_ids"))
                .drop("cls\\.seq_relationship\\..*");
        for (int i = 0; i < numLayers; i++) {
            String f = prefix + "encoder.layer." + i + ".";
            String o = "bert/encoder/layer" + i + "/";
            b.linear(f + "attention.self.query", o + "self_attention/q_proj", true)
                    .linear(f + "attention.self.key", o + "self_attention/k_proj", true)
                    .linear(f + "attention.self.value", o + "self_attention/v_proj", true)
                    .linear(f + "attention.output.dense", o + "self_attention/o_proj", true)
                    .layerNorm(f + "attention.output.LayerNorm", o + "attention_norm")
                    .linear(f + "intermediate.dense", o + "feed_forward/linear1", true)
                    .linear(f + "output.dense", o + "feed_forward/linear2", true)
                    .layerNorm(f + "output.LayerNorm", o + "feed_forward_norm");
        }
        if (pooler) {
            b.linear(prefix + "pooler.dense", "pooler/dense", true);
        }
        if (classifier) {
            b.linear("classifier", "classifier", true);
        }
        if (mlmHead) {
            b.linear("cls.predictions.transform.dense", "mlm_head/transform", true)
                    .layerNorm("cls.predictions.transform.LayerNorm", "mlm_head/transform_norm")
                    .add("cls.predictions.bias", "mlm_head/output_bias")
                    .tied(
                            "cls.predictions.decoder.weight",
                            "bert/token_embedding/weight",
                            Layout.AS_IS)
                    .tied("cls.predictions.decoder.bias", "mlm_head/output_bias", Layout.AS_IS);
        }
        return b.build();
    }
}

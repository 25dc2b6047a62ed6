package io.axlearn.text;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.text.bert.BertClassifier;
import io.axlearn.text.bert.BertEncoder;
import io.axlearn.text.bert.BertMlm;
import io.axlearn.text.bert.BertMlmHead;
import io.axlearn.text.bert.BertPooler;
import io.axlearn.text.input.ByteTextSource;
import io.axlearn.text.input.MlmMasking;
import io.axlearn.text.input.TokenWindowSource;
import io.axlearn.text.tokenizers.ByteTokenizer;
import io.axlearn.text.tokenizers.Gpt2BpeTokenizer;
import io.axlearn.text.tokenizers.HfTokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.util.Map;

/** The {@code @type} names of {@code axlearn-text}'s config classes. */
public final class TextConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.ofEntries(
                Map.entry("text/ByteTextSource", ByteTextSource.class),
                Map.entry("text/TokenWindowSource", TokenWindowSource.class),
                Map.entry("text/PackedLmSource", io.axlearn.text.input.PackedLmSource.class),
                Map.entry(
                        "text/SequenceClassificationSource",
                        io.axlearn.text.input.SequenceClassificationSource.class),
                Map.entry("text/MlmMasking", MlmMasking.class),
                Map.entry("text/CausalLm", io.axlearn.text.lm.CausalLm.Config.class),
                Map.entry("text/ByteTokenizer", ByteTokenizer.Config.class),
                Map.entry("text/WordPieceTokenizer", WordPieceTokenizer.Config.class),
                Map.entry("text/Gpt2BpeTokenizer", Gpt2BpeTokenizer.Config.class),
                Map.entry("text/HfTokenizer", HfTokenizer.Config.class),
                Map.entry("text/BertEncoder", BertEncoder.Config.class),
                Map.entry("text/BertMlmHead", BertMlmHead.Config.class),
                Map.entry("text/BertPooler", BertPooler.Config.class),
                Map.entry("text/BertMlm", BertMlm.Config.class),
                Map.entry("text/BertClassifier", BertClassifier.Config.class));
    }
}

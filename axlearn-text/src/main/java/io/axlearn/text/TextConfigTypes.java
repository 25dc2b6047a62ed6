package io.axlearn.text;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.text.input.ByteTextSource;
import io.axlearn.text.tokenizers.ByteTokenizer;
import io.axlearn.text.tokenizers.Gpt2BpeTokenizer;
import io.axlearn.text.tokenizers.HfTokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.util.Map;

/** The {@code @type} names of {@code axlearn-text}'s config classes. */
public final class TextConfigTypes implements ConfigTypeProvider {

    @Override
    public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
        return Map.of(
                "text/ByteTextSource",
                ByteTextSource.class,
                "text/CausalLm",
                io.axlearn.text.lm.CausalLm.Config.class,
                "text/ByteTokenizer",
                ByteTokenizer.Config.class,
                "text/WordPieceTokenizer",
                WordPieceTokenizer.Config.class,
                "text/Gpt2BpeTokenizer",
                Gpt2BpeTokenizer.Config.class,
                "text/HfTokenizer",
                HfTokenizer.Config.class);
    }
}

package io.axlearn.text;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.text.input.ByteTextSource;
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
                io.axlearn.text.tokenizers.ByteTokenizer.Config.class);
    }
}

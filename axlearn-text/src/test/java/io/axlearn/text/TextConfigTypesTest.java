package io.axlearn.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigOverrides;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.core.config.ConfigTypes;
import io.axlearn.text.lm.CausalLm;
import io.axlearn.text.tokenizers.Gpt2BpeTokenizer;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class TextConfigTypesTest {

    @Test
    void provider_isListedForServiceLoader_andItsNamesResolve() {
        assertTrue(
                ServiceLoader.load(ConfigTypeProvider.class).stream()
                        .anyMatch(p -> p.type() == TextConfigTypes.class),
                "TextConfigTypes is not in META-INF/services");
        new TextConfigTypes()
                .configTypes()
                .forEach(
                        (name, type) -> {
                            assertEquals(type, ConfigTypes.classOf(name), name);
                            assertEquals(name, ConfigTypes.nameOf(type).orElseThrow(), name);
                        });
    }

    @Test
    void setOverride_swapsTheModelsTokenizer() {
        CausalLm.Config lm = CausalLm.gpt(50257, 8, 1, 2, 2.0, 0.0);
        ConfigOverrides.builder()
                .set(
                        "tokenizer={\"@type\":\"text/Gpt2BpeTokenizer\",\"vocab\":\""
                                + Gpt2BpeTokenizer.GPT2_FILES
                                + "encoder.json\",\"merges\":\""
                                + Gpt2BpeTokenizer.GPT2_FILES
                                + "vocab.bpe\"}")
                .build()
                .applyTo(lm);
        assertInstanceOf(Gpt2BpeTokenizer.Config.class, lm.get("tokenizer"));
        assertEquals(Gpt2BpeTokenizer.gpt2(), lm.get("tokenizer"));

        ConfigOverrides.builder()
                .set("tokenizer.@type=text/WordPieceTokenizer")
                .set("tokenizer.vocab=" + WordPieceTokenizer.BERT_BASE_UNCASED_VOCAB)
                .build()
                .applyTo(lm);
        Tokenizer t = ((WordPieceTokenizer.Config) lm.get("tokenizer")).instantiate();
        assertArrayEquals(new int[] {7592}, t.encode("hello"));
    }
}

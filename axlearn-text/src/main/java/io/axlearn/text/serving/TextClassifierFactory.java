package io.axlearn.text.serving;

import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.serving.ModelDirectory;
import io.axlearn.text.bert.BertClassifier;
import io.axlearn.text.tokenizers.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * DJL's block and translator factories of a {@link TextDjlExport} directory (named by its {@code
 * serving.properties}): the {@link BertClassifier} from {@code config.json} and {@code
 * model.safetensors}, the {@link TextClassifierTranslator} from {@code tokenizer.json} (our
 * tokenizer config), {@code synset.txt} and the {@code maxLength} argument.
 */
public final class TextClassifierFactory implements BlockFactory, TranslatorFactory {
    private static final long serialVersionUID = 1L;

    /** The tokenizer config file of the directory. */
    public static final String TOKENIZER = "tokenizer.json";

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        BertClassifier.Config cfg = ModelDirectory.config(modelPath, BertClassifier.Config.class);
        return new TextClassifierBlock(
                cfg.instantiate(), ModelDirectory.params(modelPath, model.getNDManager()));
    }

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return Set.of(new Pair<>(String.class, Classifications.class));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(
            Class<I> input, Class<O> output, Model model, Map<String, ?> arguments) {
        if (input != String.class || output != Classifications.class) {
            throw new IllegalArgumentException(
                    "a text classifier translates String to Classifications, not "
                            + input
                            + " to "
                            + output);
        }
        Path dir = model.getModelPath();
        try {
            Tokenizer.Config<?> tokenizer =
                    (Tokenizer.Config<?>)
                            ConfigJson.fromJson(
                                    Files.readString(dir.resolve(TOKENIZER)),
                                    Tokenizer.Config.class);
            int maxLength = Integer.parseInt(String.valueOf(arguments.get("maxLength")));
            return (Translator<I, O>)
                    new TextClassifierTranslator(
                            tokenizer.instantiate(),
                            Files.readAllLines(dir.resolve("synset.txt")),
                            maxLength);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }
}

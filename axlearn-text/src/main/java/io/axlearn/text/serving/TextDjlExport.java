package io.axlearn.text.serving;

import ai.djl.ndarray.NDArray;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.serving.ModelDirectory;
import io.axlearn.text.bert.BertClassifier;
import io.axlearn.text.tokenizers.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained {@link BertClassifier} (a spam filter from {@code text.bert/classify-tiny} or
 * {@code minilm-classify}) as a DJL model directory: a DJL user classifies text with {@code
 * Criteria.builder().setTypes(String.class, Classifications.class).optModelPath(dir)}, needing DJL,
 * the engine, axlearn-core and axlearn-text only. Besides {@link ModelDirectory}'s files it holds
 * {@code tokenizer.json} (our tokenizer config), {@code synset.txt} (labels) and {@code maxLength}
 * in {@code serving.properties}; {@link TextClassifierFactory} is both factories.
 */
public final class TextDjlExport {
    private TextDjlExport() {}

    /**
     * Writes the model directory.
     *
     * @param dir the directory (created)
     * @param cfg the classifier's config
     * @param params its parameters by path
     * @param tokenizer the tokenizer the classifier was trained with
     * @param labels class names in id order
     * @param maxLength most tokens per text (the training {@code seqLen})
     */
    public static void write(
            Path dir,
            BertClassifier.Config cfg,
            Map<String, NDArray> params,
            Tokenizer.Config<?> tokenizer,
            List<String> labels,
            int maxLength)
            throws IOException {
        String factory = TextClassifierFactory.class.getName();
        ModelDirectory.write(
                dir,
                cfg,
                params,
                Map.of(
                        "blockFactory", factory,
                        "translatorFactory", factory,
                        "maxLength", String.valueOf(maxLength)));
        Files.writeString(
                dir.resolve(TextClassifierFactory.TOKENIZER), ConfigJson.toJson(tokenizer));
        Files.write(dir.resolve("synset.txt"), labels);
    }
}

package io.axlearn.text.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.DjlOnlyJvm;
import io.axlearn.core.testing.TorchGolden;
import io.axlearn.text.bert.BertClassifier;
import io.axlearn.text.bert.BertEncoder;
import io.axlearn.text.tokenizers.TokenBatch;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BERT classifier exported with {@link TextDjlExport} classifies text through DJL's {@code
 * Predictor} in a child JVM with only DJL and our inference classes, with our probabilities.
 */
class TextDjlExportTest {
    private static final List<String> LABELS = List.of("ham", "spam");
    private static final List<String> TEXTS =
            List.of(
                    "Meeting moved to 3pm, see you in room 4.",
                    "CONGRATULATIONS!!! You have WON a free cruise, click here now",
                    "Here is the patch for the build failure we talked about yesterday; it"
                            + " also fixes the flaky test.");

    @TempDir Path dir;

    @Test
    void exportedTextClassifier_predictsThroughDjl_withTheSameProbabilities() throws Exception {
        BertClassifier.Config cfg =
                BertClassifier.of(BertEncoder.bert(30522, 16, 1, 2, 32, 0.0), LABELS.size());
        BertClassifier model = cfg.instantiate();
        Tokenizer.Config<?> tokenizerCfg = WordPieceTokenizer.bertBaseUncased();
        Path export = dir.resolve("model");
        float[][] expected = new float[TEXTS.size()][];
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = model.initParams(5, m);
            TextDjlExport.write(export, cfg, params.asMap(), tokenizerCfg, LABELS, 16);
            TextClassifierTranslator translator =
                    new TextClassifierTranslator(tokenizerCfg.instantiate(), LABELS, 16);
            for (int i = 0; i < TEXTS.size(); i++) {
                TokenBatch b = translator.encode(TEXTS.get(i));
                NDArray ids =
                        m.create(b.flatIds(), new Shape(1, b.seqLen()))
                                .toType(DataType.INT64, false);
                NDArray logits = model.logits(ForwardContext.eval(params, m), ids, null, null);
                expected[i] = logits.softmax(-1).toFloatArray();
            }
        }
        Path texts = dir.resolve("texts.txt");
        Files.write(texts, TEXTS);
        Path out = dir.resolve("predictions.txt");
        DjlOnlyJvm.run(
                dir,
                TextDjlUserMain.class,
                List.of("axlearn-core", "axlearn-text"),
                export.toString(),
                texts.toString(),
                out.toString());
        List<String> lines = Files.readAllLines(out);
        assertEquals("trainer-visible false", lines.get(0));
        assertEquals(TEXTS.size() + 1, lines.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            for (String pair : lines.get(i + 1).split(" ")) {
                String[] kv = pair.split("=");
                int k = LABELS.indexOf(kv[0]);
                assertEquals(expected[i][k], Double.parseDouble(kv[1]), 1e-5, TEXTS.get(i));
            }
        }
    }
}

package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.text.bert.BertMlm;
import io.axlearn.text.bert.MiniLm;
import io.axlearn.text.tokenizers.BatchOptions;
import io.axlearn.text.tokenizers.HfTokenizer;
import io.axlearn.text.tokenizers.TokenBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real pretrained all-MiniLM-L6-v2, read from its ONNX file by our protobuf reader and loaded
 * into our BERT, gives the sentence embeddings that ONNX Runtime computes from the same file (in a
 * child JVM, {@link OnnxRuntimeEmbeddings}) for 24 real sentences, to 1e-4.
 */
class MiniLmTest {
    /** Real sentences of different lengths and topics (a padded batch of 24). */
    static final List<String> SENTENCES =
            List.of(
                    "The quick brown fox jumps over the lazy dog.",
                    "A man is playing a guitar on the street corner.",
                    "Stock markets fell sharply after the central bank raised interest rates.",
                    "Please remember to bring your passport to the airport.",
                    "The recipe calls for two cups of flour and a pinch of salt.",
                    "Photosynthesis converts light energy into chemical energy in plants.",
                    "Can you tell me how to get to the nearest train station?",
                    "The committee will announce its decision next Tuesday.",
                    "She finished the marathon in just under four hours.",
                    "Our new phone has a faster processor and a brighter screen.",
                    "It rained all weekend, so we stayed inside and read books.",
                    "The museum's collection includes paintings from the Renaissance.",
                    "Congratulations! You have won a free cruise, click here to claim.",
                    "Water boils at one hundred degrees Celsius at sea level.",
                    "The children built a sandcastle near the waves.",
                    "Unsubscribe from this mailing list at any time.",
                    "He apologized for being late to the meeting.",
                    "Machine learning models need large amounts of labelled data.",
                    "The violinist performed a piece by Bach.",
                    "Traffic on the bridge was backed up for three miles.",
                    "A cat is sleeping on the warm windowsill.",
                    "The software update fixes several security vulnerabilities.",
                    "They planted tomatoes, peppers and basil in the garden.",
                    "What time does the library open on Sundays?");

    @TempDir Path dir;

    @Test
    void pretrainedMiniLm_matchesOnnxRuntimeSentenceEmbeddings() throws Exception {
        TokenBatch batch;
        try (HfTokenizer tokenizer =
                (HfTokenizer)
                        HfTokenizer.config()
                                .path("classpath:" + MiniLm.TOKENIZER_RESOURCE)
                                .instantiate()) {
            batch = tokenizer.encodeBatch(SENTENCES, BatchOptions.longest().withSpecialTokens());
        }
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < batch.batchSize(); i++) {
            rows.add(join(batch.ids()[i]) + "|" + join(batch.mask()[i]));
        }
        Path in = dir.resolve("rows.txt");
        Path out = dir.resolve("embeddings.txt");
        Files.write(in, rows);
        runReferenceInChildJvm(in, out);
        List<String> lines = Files.readAllLines(out);
        assertEquals(SENTENCES.size(), lines.size());

        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            BertMlm model = BertMlm.of(MiniLm.encoder(0)).instantiate();
            SortedMap<String, io.axlearn.core.module.ParamSpec> specs = model.paramSpecs();
            ParamTree params = ParamTree.of(MiniLm.params(specs, m));
            assertEquals(
                    specs.keySet().stream().filter(p -> p.startsWith("bert/")).count(),
                    params.asMap().size());
            int b = batch.batchSize();
            int t = batch.seqLen();
            Shape shape = new Shape(b, t);
            NDArray ids =
                    m.create(batch.flatIds(), shape)
                            .toType(ai.djl.ndarray.types.DataType.INT64, false);
            NDArray mask = m.create(batch.flatMask(), shape);
            NDArray types = m.zeros(shape, ai.djl.ndarray.types.DataType.INT64);
            NDArray hidden = model.hidden(ForwardContext.eval(params, m), ids, types, mask);
            float[] ours = MiniLm.meanPool(hidden, mask).toFloatArray();
            int d = ours.length / b;
            double worst = 0;
            double largest = 0;
            for (int i = 0; i < b; i++) {
                String[] ref = lines.get(i).split(" ");
                assertEquals(d, ref.length);
                for (int k = 0; k < d; k++) {
                    double r = Float.parseFloat(ref[k]);
                    worst = Math.max(worst, Math.abs(r - ours[i * d + k]));
                    largest = Math.max(largest, Math.abs(r));
                }
            }
            System.out.printf(
                    "MiniLM vs ONNX Runtime: %d sentences, %d tokens, max |diff| %.3g (largest"
                            + " |value| %.3g)%n",
                    b, t, worst, largest);
            assertTrue(worst <= 1e-4, "max |diff| " + worst);
        }
    }

    private static String join(int[] v) {
        StringBuilder s = new StringBuilder();
        for (int x : v) {
            s.append(s.length() == 0 ? "" : " ").append(x);
        }
        return s.toString();
    }

    private void runReferenceInChildJvm(Path in, Path out) throws Exception {
        List<String> command = SmallRun.childJvm(OnnxRuntimeEmbeddings.class.getName());
        command.add(in.toString());
        command.add(out.toString());
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("child.log").toFile())
                        .start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "ONNX Runtime child timed out");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("child.log")));
    }
}

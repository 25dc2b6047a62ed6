package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.core.testing.WeightMapChecks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code axlearn convert} end to end: a trained classifier's checkpoint exported to Hugging Face
 * BERT names, imported back byte for byte, and a second run fine-tuned from the imported file
 * through {@code initFrom}.
 */
class ConvertCommandTest {
    @TempDir Path dir;

    private static SmallRun.Result convert(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("convert"));
        all.addAll(List.of(args));
        return SmallRun.run(all);
    }

    @Test
    void exportImportAndFineTune_throughTheCommandLine() throws IOException {
        Path first = dir.resolve("first");
        SmallRun.Result trained = SmallRun.run(BertExperimentsTest.classifyArgs("train", first, 2));
        assertEquals(0, trained.status(), trained.err());
        Path params = first.resolve("checkpoints/step_00000002/params.safetensors");
        Path hf = dir.resolve("hf/model.safetensors");
        Path back = dir.resolve("back.safetensors");

        SmallRun.Result export =
                convert(
                        "--from",
                        "axlearn",
                        "--family",
                        "bert",
                        "--input",
                        params.toString(),
                        "--output",
                        hf.toString());
        assertEquals(0, export.status(), export.err());
        assertTrue(export.out().contains("tensors in hf names"), export.out());
        SmallRun.Result imported =
                convert(
                        "--from",
                        "hf",
                        "--family",
                        "bert",
                        "--input",
                        hf.toString(),
                        "--output",
                        back.toString());
        assertEquals(0, imported.status(), imported.err());

        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            SortedMap<String, NDArray> hfTensors = SafeTensors.read(hf, m).tensors();
            assertTrue(
                    hfTensors.containsKey("bert.encoder.layer.0.attention.self.query.weight"),
                    hfTensors.keySet().toString());
            assertTrue(hfTensors.containsKey("classifier.weight"));
            assertEquals("pt", SafeTensors.read(hf, m).metadata().get("format"));
            WeightMapChecks.assertSameTensors(
                    SafeTensors.read(params, m).tensors(),
                    SafeTensors.read(back, m).tensors(),
                    "checkpoint -> hf -> axlearn");
        }

        Path second = dir.resolve("second");
        SmallRun.Result tuned =
                SmallRun.run(
                        BertExperimentsTest.classifyArgs(
                                "train", second, 2, "initFrom.path=" + back));
        assertEquals(0, tuned.status(), tuned.err());
        assertTrue((tuned.out() + tuned.err()).contains("initialised"), tuned.out() + tuned.err());
    }

    @Test
    void pretrainedMiniLmOnnx_convertsToOurBertNames() throws IOException {
        Path onnx = dir.resolve("minilm.onnx");
        try (var in =
                getClass()
                        .getClassLoader()
                        .getResourceAsStream(io.axlearn.text.bert.MiniLm.ONNX_RESOURCE)) {
            java.nio.file.Files.copy(in, onnx);
        }
        Path out = dir.resolve("minilm.safetensors");
        SmallRun.Result r =
                convert(
                        "--from",
                        "hf",
                        "--family",
                        "bert",
                        "--input",
                        onnx.toString(),
                        "--output",
                        out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(": 101 tensors in axlearn names"), r.out());
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            SortedMap<String, NDArray> ours = SafeTensors.read(out, m).tensors();
            assertEquals(
                    new ai.djl.ndarray.types.Shape(384, 1536),
                    ours.get("bert/encoder/layer5/feed_forward/linear1/weight").getShape());
        }
    }

    @Test
    void badInput_isOneLineNamingIt() {
        SmallRun.Result family =
                convert("--from", "hf", "--family", "t5", "--input", "x", "--output", "y");
        assertEquals(2, family.status());
        assertTrue(
                family.err().startsWith("error: unknown weight family 't5'; known: bert, gpt2,"),
                family.err());
        SmallRun.Result format =
                convert("--from", "hf", "--family", "resnet", "--input", "x", "--output", "y");
        assertEquals(
                "error: --from hf: family resnet reads torch names (use --from torch, or --from"
                        + " axlearn to export)",
                format.err().strip());
        SmallRun.Result missing =
                convert(
                        "--from",
                        "hf",
                        "--family",
                        "bert",
                        "--input",
                        dir.resolve("none.safetensors").toString(),
                        "--output",
                        "y");
        assertEquals(2, missing.status());
        assertEquals(
                "error: --input " + dir.resolve("none.safetensors") + ": no such file",
                missing.err().strip());
    }
}

package io.axlearn.examples.multimodal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.module.BaseModel;
import io.axlearn.core.testing.Goldens;
import io.axlearn.examples.text.SmallRun;
import io.axlearn.examples.vision.FashionExperimentsTest;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.launch.ExperimentRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code multimodal.clip} from the command line: a shrunken fashion-tiny trained a few steps. */
class ClipExperimentsTest {
    @TempDir Path dir;

    private static List<String> args(String command, Path runDir, int steps) {
        List<String> sets = new java.util.ArrayList<>();
        for (String evaler : List.of("retrieval_fashion", "retrieval_digits")) {
            sets.add("evalers[" + evaler + "].input.batchSize=40");
            sets.add("evalers[" + evaler + "].everyNSteps.n=" + steps);
        }
        return FashionExperimentsTest.args(
                command,
                "multimodal.clip",
                "fashion-tiny",
                runDir,
                steps,
                sets.toArray(String[]::new));
    }

    private static double metric(String out, String name) {
        return FashionExperimentsTest.metric(out, name);
    }

    private static double metric(String out, String evaler, String name) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("eval " + evaler + " " + name + " ([0-9.]+)")
                        .matcher(out);
        assertTrue(m.find(), "no eval " + evaler + " " + name + " in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void parameterSpecs_matchGoldenDumps() {
        ExperimentRegistry registry = ExperimentRegistry.load();
        for (String name : registry.names("multimodal.clip")) {
            Trainer.Config cfg = (Trainer.Config) registry.get("multimodal.clip", name);
            Goldens.assertMatches(
                    "params/multimodal.clip/" + name + ".txt",
                    ((BaseModel.Config<?, ?>) cfg.get("model")).instantiate().paramSpecDump());
        }
    }

    @Test
    void fashionTiny_trainsFromTheCommandLine_andEvalReproducesTheZeroShotAccuracy() {
        Path runDir = dir.resolve("clip");
        SmallRun.Result r = SmallRun.run(args("train", runDir, 4));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("done: step 4"), r.out());
        double zeroShot = metric(r.out(), "zero_shot_accuracy");
        assertTrue(zeroShot >= 0 && zeroShot <= 1, r.out());
        double scale = metric(r.out(), "logit_scale");
        assertTrue(scale > 1 && scale <= 100, "logit scale " + scale);
        for (String evaler : List.of("retrieval_fashion", "retrieval_digits")) {
            for (String direction : List.of("image_to_text", "text_to_image")) {
                String at1 = direction + "_recall_at_1";
                String at5 = direction + "_recall_at_5";
                double r1 = metric(r.out(), evaler, at1);
                double r5 = metric(r.out(), evaler, at5);
                assertTrue(r1 >= 0 && r1 <= r5 && r5 <= 1, evaler + " " + r1 + " " + r5);
                double chance = metric(r.out(), evaler, at1 + "_chance");
                assertTrue(chance > 0 && chance < 1, evaler + " chance " + chance);
            }
        }
        // Digits have no zero-shot prompt: no zero-shot metric where there are only digits.
        assertTrue(!r.out().contains("eval retrieval_digits zero_shot_accuracy"), r.out());
        SmallRun.Result e = SmallRun.run(args("eval", runDir, 4));
        assertEquals(0, e.status(), e.err());
        assertEquals(zeroShot, metric(e.out(), "zero_shot_accuracy"), 1e-9);
        assertEquals(
                metric(r.out(), "image_to_text_accuracy"),
                metric(e.out(), "image_to_text_accuracy"),
                1e-9);
        assertEquals(
                metric(r.out(), "retrieval_digits", "text_to_image_recall_at_5"),
                metric(e.out(), "retrieval_digits", "text_to_image_recall_at_5"),
                1e-9);
    }
}

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
        return FashionExperimentsTest.args(
                command, "multimodal.clip", "fashion-tiny", runDir, steps);
    }

    private static double metric(String out, String name) {
        return FashionExperimentsTest.metric(out, name);
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
        SmallRun.Result e = SmallRun.run(args("eval", runDir, 4));
        assertEquals(0, e.status(), e.err());
        assertEquals(zeroShot, metric(e.out(), "zero_shot_accuracy"), 1e-9);
        assertEquals(
                metric(r.out(), "image_to_text_accuracy"),
                metric(e.out(), "image_to_text_accuracy"),
                1e-9);
    }
}

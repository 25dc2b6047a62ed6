package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigJson;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.summary.EventFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains a shrunken text.charlm through the command line and checks everything it leaves behind.
 */
class CharLmTrainingTest {
    @TempDir Path dir;

    @Test
    void train_learnsAndWritesRunDirectory_thenEvalReadsTheCheckpoint() throws IOException {
        SmallRun.Result r = SmallRun.run(SmallRun.args("train", dir, 40));
        assertEquals(0, r.status(), r.err());
        SortedMap<Long, Double> losses = SmallRun.losses(dir);
        assertEquals(40, losses.size());
        double first = losses.get(1L);
        double last = losses.get(40L);
        assertTrue(
                first > 5.0 && last < first - 2.0,
                "loss must fall: step 1 " + first + ", step 40 " + last);
        assertTrue(r.out().contains("done: step 40"), r.out());
        // Run directory: configs, checkpoints by policy, TensorBoard files for train and eval.
        Trainer.Config written =
                ConfigJson.fromJson(
                        Files.readString(dir.resolve("config.json")), Trainer.Config.class);
        assertEquals(40L, written.maxStep());
        assertTrue(Files.readString(dir.resolve("config.txt")).contains("model.dim: 32\n"));
        assertEquals(
                List.of(20L, 30L, 40L),
                Checkpointer.completeSteps(dir),
                "keepLast=3 of saves every 10 steps");
        List<EventFile.Scalar> scalars =
                EventFile.readScalars(eventFile(dir.resolve("summaries/train")));
        assertEquals(
                last,
                scalars.stream()
                        .filter(s -> s.step() == 40 && s.tag().equals("loss"))
                        .findFirst()
                        .orElseThrow()
                        .value(),
                1e-6);
        List<EventFile.Scalar> eval =
                EventFile.readScalars(eventFile(dir.resolve("summaries/validation")));
        assertEquals(
                List.of(20L, 40L),
                eval.stream()
                        .filter(s -> s.tag().equals("loss"))
                        .map(EventFile.Scalar::step)
                        .toList());
        // eval evaluates the newest checkpoint and reproduces the last in-training evaluation.
        SmallRun.Result e = SmallRun.run(SmallRun.args("eval", dir, 40));
        assertEquals(0, e.status(), e.err());
        float trainedEvalLoss =
                eval.get(eval.size() - 1).tag().equals("loss")
                        ? eval.get(eval.size() - 1).value()
                        : eval.stream()
                                .filter(s -> s.step() == 40 && s.tag().equals("loss"))
                                .findFirst()
                                .orElseThrow()
                                .value();
        assertTrue(
                e.out()
                        .contains(
                                String.format(
                                        java.util.Locale.ROOT,
                                        "step 40 eval validation loss %.4f",
                                        trainedEvalLoss)),
                e.out());
    }

    @Test
    void runningAgainAtMaxStep_resumesAndDoesNothingMore() {
        assertEquals(0, SmallRun.run(SmallRun.args("train", dir, 10)).status());
        SmallRun.Result again = SmallRun.run(SmallRun.args("train", dir, 10));
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("resumed from checkpoint step 10"), again.out());
    }

    @Test
    void badInput_isOneLineAndNothingSavedIsLost() throws IOException {
        assertEquals(0, SmallRun.run(SmallRun.args("train", dir, 10)).status());
        SmallRun.Result badPath =
                SmallRun.run(
                        SmallRun.args("train", dir, 20, "input.source.path=/no/such/text.txt"));
        assertEquals(2, badPath.status());
        assertEquals(
                "error: input.source.path: no such file or folder: /no/such/text.txt",
                badPath.err().strip());
        SmallRun.Result wrongShape = SmallRun.run(SmallRun.args("train", dir, 20, "model.dim=48"));
        assertEquals(2, wrongShape.status());
        assertTrue(
                wrongShape
                        .err()
                        .startsWith(
                                "error: checkpoint "
                                        + dir.resolve("checkpoints/step_00000010")
                                        + " does not fit the model:"),
                wrongShape.err());
        assertEquals(
                List.of(10L),
                Checkpointer.completeSteps(dir),
                "the existing checkpoint is untouched");
        SmallRun.Result noCheckpoint =
                SmallRun.run(SmallRun.args("eval", dir.resolve("empty"), 10));
        assertEquals(2, noCheckpoint.status());
        assertTrue(noCheckpoint.err().startsWith("error: no checkpoint in "), noCheckpoint.err());
    }

    @Test
    void divergence_stopsWithStepAndKeepsLastGoodCheckpoint() {
        SmallRun.Result r =
                SmallRun.run(
                        SmallRun.args(
                                "train",
                                dir,
                                30,
                                "learner.optimizer.learningRate.peak=1e30",
                                "learner.clipping.maxNorm=null"));
        assertEquals(3, r.status(), r.out() + r.err());
        assertTrue(
                r.err()
                        .matches(
                                "(?s)error: loss is (NaN|Infinity|-Infinity) at step \\d+; stopped before applying it.*"),
                r.err());
        List<Long> steps = Checkpointer.completeSteps(dir);
        if (!steps.isEmpty()) {
            assertTrue(
                    r.err()
                            .contains(
                                    "the last good checkpoint is step "
                                            + steps.get(steps.size() - 1)),
                    r.err());
        }
    }

    @Test
    void blownUpButFiniteParameters_areSetAside_andTheLastGoodCheckpointIsNamed() {
        // Saving every step: the step after a blown-up update saves finite parameters of 1e29
        // and more, and the next step's loss is not finite. That checkpoint must not be "good".
        String[] blowUp = {
            "learner.optimizer.learningRate.peak=1e30",
            "learner.clipping.maxNorm=null",
            "checkpointer.everyNSteps.n=1",
            "checkpointer.keepLast=100"
        };
        SmallRun.Result r = SmallRun.run(SmallRun.args("train", dir, 30, blowUp));
        assertEquals(3, r.status(), r.out() + r.err());
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile(" at step (\\d+); stopped").matcher(r.err());
        assertTrue(m.find(), r.err());
        long diverged = Long.parseLong(m.group(1));
        List<Long> kept = Checkpointer.completeSteps(dir);
        assertTrue(!kept.contains(diverged - 1), "step " + (diverged - 1) + " set aside: " + kept);
        assertTrue(
                Files.isDirectory(
                        Checkpointer.stepDir(dir, diverged - 1)
                                .resolveSibling(String.format("step_%08d.diverged", diverged - 1))),
                "the set-aside checkpoint is kept for inspection");
        String expected =
                kept.isEmpty()
                        ? "no checkpoint before it is kept"
                        : "the last good checkpoint is step " + kept.get(kept.size() - 1);
        assertTrue(r.err().contains("was moved to") && r.err().contains(expected), r.err());
    }

    private static Path eventFile(Path summaries) throws IOException {
        try (Stream<Path> files = Files.list(summaries)) {
            return files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents."))
                    .findFirst()
                    .orElseThrow();
        }
    }
}

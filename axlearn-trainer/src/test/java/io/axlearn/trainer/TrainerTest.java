package io.axlearn.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.io.SafeTensors;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.checkpoint.Checkpoint;
import io.axlearn.trainer.checkpoint.CheckpointException;
import io.axlearn.trainer.checkpoint.Checkpointer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir Path dir;

    private final StringWriter progress = new StringWriter();

    /** Runs {@code cfg} in {@code trainerDir}; returns the loss of every step. */
    private SortedMap<Long, Double> run(Trainer.Config cfg, Path trainerDir) {
        SortedMap<Long, Double> losses = new TreeMap<>();
        cfg.instantiate()
                .progressTo(new PrintWriter(progress, true), false)
                .onStep((step, scalars) -> losses.put(step, scalars.get("loss")))
                .run(trainerDir);
        return losses;
    }

    /** The newest checkpoint's parameters as float arrays. */
    private static Map<String, float[]> params(Path trainerDir) {
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            Checkpoint c = Checkpointer.restoreLatest(trainerDir, m, null, false, w -> {}).get();
            Map<String, float[]> out = new TreeMap<>();
            c.params().forEach((k, v) -> out.put(k, v.toFloatArray()));
            return out;
        }
    }

    @Test
    void slowStep_getsOneWarningWithAThreadDumpWhileItRuns_andGoodputIsSummarised()
            throws Exception {
        Trainer.Config cfg = Regression.trainer(12).watchdogFactor(5).watchdogMinSeconds(0.3);
        cfg.summaryEveryNSteps(4);
        cfg.instantiate()
                .progressTo(new PrintWriter(progress, true), false)
                .onStep(
                        (step, scalars) -> {
                            if (step == 8) {
                                sleepInsideStepEight();
                            }
                        })
                .run(dir);
        String log = progress.toString();
        int at = log.indexOf("warning: step 8 has run ");
        assertTrue(at >= 0, log);
        assertEquals(at, log.lastIndexOf("warning: step"), "one warning, for step 8 only");
        assertTrue(log.contains("sleepInsideStepEight"), "the dump shows where it waits: " + log);
        assertTrue(log.contains("\"axlearn-step-watchdog\" RUNNABLE"), log);
        com.fasterxml.jackson.databind.ObjectMapper json =
                new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.List<Double> goodput = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("summaries/train/metrics.jsonl"))) {
            goodput.add(json.readTree(line).get("goodput").asDouble());
        }
        assertEquals(3, goodput.size());
        for (double g : goodput) {
            assertTrue(g > 0 && g <= 1, "goodput is a fraction of the wall time: " + goodput);
        }
    }

    private static void sleepInsideStepEight() {
        try {
            Thread.sleep(1_500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void interruptedRun_resumesWithTheLossesOfAnUninterruptedOne() {
        Trainer.Config cfg = Regression.trainer(8);
        cfg.checkpointer(Checkpointer.config().everyNSteps(2));
        SortedMap<Long, Double> whole = run(cfg, dir.resolve("whole"));
        SortedMap<Long, Double> first = run(cfg.copy().maxStep(5), dir.resolve("split"));
        SortedMap<Long, Double> second = run(cfg, dir.resolve("split"));
        assertEquals(5, first.size());
        assertEquals(3, second.size());
        second.forEach((step, loss) -> assertEquals(whole.get(step), loss, 0.0, "step " + step));
        assertTrue(progress.toString().contains("resumed from checkpoint step 5"));
        assertEquals(
                java.util.List.of(5L, 6L, 8L), // keepLast=3
                Checkpointer.completeSteps(dir.resolve("split")));
    }

    @Test
    void microBatches_throughTheTrainer_matchTheWholeBatch() {
        SortedMap<Long, Double> whole = run(Regression.trainer(4), dir.resolve("whole"));
        SortedMap<Long, Double> micro =
                run(Regression.trainer(4).microBatches(4), dir.resolve("micro"));
        whole.forEach((step, loss) -> assertEquals(loss, micro.get(step), 1e-5, "step " + step));
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> Regression.trainer(4).microBatches(3).instantiate());
        assertEquals(
                "microBatches must divide input.batchSize=8, got 3 (Trainer.Config)",
                e.getMessage());
    }

    @Test
    void initFrom_anotherRun_loadsItsWeights_keepsFreshPaths_andResumingWins() {
        Path base = dir.resolve("base");
        run(Regression.trainer(6), base);
        Map<String, float[]> trained = params(base);

        Path tuned = dir.resolve("tuned");
        Trainer.Config fineTune =
                Regression.trainer(1)
                        .initFrom(
                                InitialWeights.config().path(base.toString()).freshPaths("out/.*"));
        fineTune.set("learner.optimizer.learningRate.value", 0.0);
        run(fineTune, tuned);
        assertTrue(
                progress.toString().contains("initialised 2 parameters from " + base + ", 2 fresh"),
                progress.toString());
        Map<String, float[]> after = params(tuned);
        assertArrayEquals(trained.get("hidden/weight"), after.get("hidden/weight"));
        assertArrayEquals(trained.get("hidden/bias"), after.get("hidden/bias"));
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            ParamTree init = Regression.model().instantiate().initParams(0, m);
            assertArrayEquals(init.get("out/weight").toFloatArray(), after.get("out/weight"));
        }

        // The run has its own checkpoint now: a longer run resumes from it, not from initFrom.
        run(fineTune.copy().maxStep(2), tuned);
        assertTrue(progress.toString().contains("resumed from checkpoint step 1"));
    }

    @Test
    void initFrom_safetensorsWithPrefixes_andMismatchesNameThePathAndShapes() throws IOException {
        Path file = dir.resolve("weights.safetensors");
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            ParamTree p = Regression.model().instantiate().initParams(42, m);
            Map<String, NDArray> renamed = new TreeMap<>();
            p.asMap().forEach((k, v) -> renamed.put("encoder/" + k, v.add(1f)));
            SafeTensors.write(file, renamed, Map.of());
            Trainer.Config cfg =
                    Regression.trainer(1)
                            .initFrom(
                                    InitialWeights.config()
                                            .path(file.toString())
                                            .prefix("encoder/", ""));
            cfg.set("learner.optimizer.learningRate.value", 0.0);
            run(cfg, dir.resolve("ok"));
            assertArrayEquals(
                    p.get("hidden/weight").add(1f).toFloatArray(),
                    params(dir.resolve("ok")).get("hidden/weight"));
        }

        Trainer.Config wrongShape = Regression.trainer(1);
        wrongShape.set("model.hiddenDim", 6);
        wrongShape.initFrom(InitialWeights.config().path(file.toString()).prefix("encoder/", ""));
        CheckpointException e =
                assertThrows(CheckpointException.class, () -> run(wrongShape, dir.resolve("bad")));
        assertEquals(
                "initFrom " + file + ": hidden/bias is (8) there, the model needs (6)",
                e.getMessage());

        Trainer.Config unmapped =
                Regression.trainer(1).initFrom(InitialWeights.config().path(file.toString()));
        e = assertThrows(CheckpointException.class, () -> run(unmapped, dir.resolve("bad2")));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "initFrom "
                                        + file
                                        + " has no tensor for hidden/bias, hidden/weight,"
                                        + " out/bias, out/weight (after the prefix mapping)"),
                e.getMessage());
    }

    @Test
    void aCheckpointWrittenFromAParameterTree_seedsARun() {
        Path seeded = dir.resolve("seeded");
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            ParamTree p = Regression.model().instantiate().initParams(99, m);
            Checkpointer.write(seeded, Checkpoint.ofParams(0, p.asMap()));
            Map<String, float[]> expected = new TreeMap<>();
            p.asMap().forEach((k, v) -> expected.put(k, v.toFloatArray()));
            Trainer.Config cfg = Regression.trainer(2);
            cfg.set("learner.optimizer.learningRate.value", 0.0);
            run(cfg, seeded);
            assertTrue(
                    progress.toString()
                            .contains("checkpoint step 0 holds parameters only: the optimizer"),
                    progress.toString());
            Map<String, float[]> after = params(seeded);
            expected.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
        }
    }

    @Test
    void nonFiniteParameters_areNeverSaved() {
        Trainer.Config cfg = Regression.trainer(3);
        cfg.set("learner.optimizer.learningRate.value", 1e300);
        cfg.checkpointer(Checkpointer.config().everyNSteps(1));
        TrainingDivergedException e =
                assertThrows(TrainingDivergedException.class, () -> run(cfg, dir));
        assertTrue(
                e.getMessage()
                        .matches(
                                "parameter .* is not finite after step 1; not saved;"
                                        + " no checkpoint was saved yet"),
                e.getMessage());
        assertEquals(java.util.List.of(), Checkpointer.completeSteps(dir));
    }

    @Test
    void refusedResume_leavesTheRunsConfigUntouched() throws IOException {
        run(Regression.trainer(2), dir);
        String config = Files.readString(dir.resolve("config.json"));
        Trainer.Config wider = Regression.trainer(4);
        wider.set("model.hiddenDim", 16);
        CheckpointException e = assertThrows(CheckpointException.class, () -> run(wider, dir));
        assertTrue(e.getMessage().contains("does not fit the model"), e.getMessage());
        assertEquals(config, Files.readString(dir.resolve("config.json")));
        assertFalse(Files.readString(dir.resolve("config.txt")).contains("hiddenDim: 16"));
    }

    @Test
    void requestStop_savesTheStepInProgress_andTheRunResumesExactly() {
        SortedMap<Long, Double> whole = run(Regression.trainer(8), dir.resolve("whole"));
        Path stopped = dir.resolve("stopped");
        Trainer trainer =
                Regression.trainer(8)
                        .instantiate()
                        .progressTo(new PrintWriter(progress, true), false);
        trainer.onStep(
                (step, scalars) -> {
                    if (step == 3) {
                        trainer.requestStop("SIGTERM");
                    }
                });
        TrainingStoppedException e =
                assertThrows(TrainingStoppedException.class, () -> trainer.run(stopped));
        assertEquals(
                "SIGTERM: saved checkpoint step 3 in "
                        + stopped
                        + "; run the same command to resume",
                e.getMessage());
        assertEquals(java.util.List.of(3L), Checkpointer.completeSteps(stopped));
        SortedMap<Long, Double> rest = run(Regression.trainer(8), stopped);
        assertEquals(5, rest.size());
        rest.forEach((step, loss) -> assertEquals(whole.get(step), loss, 0.0, "step " + step));
    }

    @Test
    void aSecondRunOnTheSameDirectory_isRefusedNamingTheHolder() {
        try (RunLock held = RunLock.acquire(dir)) {
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> run(Regression.trainer(1), dir));
            assertTrue(
                    e.getMessage()
                            .matches(
                                    "trainer directory "
                                            + java.util.regex.Pattern.quote(dir.toString())
                                            + " is in use by another run \\(pid "
                                            + ProcessHandle.current().pid()
                                            + " on .+; lock file .*run.lock\\)"),
                    e.getMessage());
            assertFalse(Files.exists(dir.resolve("config.json")));
        }
        run(Regression.trainer(1), dir); // released: the next run may go
    }

    @Test
    void resumingWithAnotherModelConfig_isRefusedEvenWhenTheShapesMatch() throws IOException {
        run(Regression.trainer(2), dir);
        String config = Files.readString(dir.resolve("config.json"));
        CheckpointException e =
                assertThrows(
                        CheckpointException.class,
                        () ->
                                run(
                                        Regression.trainer(4)
                                                .model(Regression.model().gradientTrap(true)),
                                        dir));
        assertEquals(
                "checkpoint step 2 was trained with another model config: model.gradientTrap was"
                        + " false, is true. Resume with its model config, or train in a new"
                        + " directory (initFrom loads its weights)",
                e.getMessage());
        assertEquals(config, Files.readString(dir.resolve("config.json")));
        // What may change on resume: maxStep, the learner, summaries, checkpoint policy.
        Trainer.Config longer = Regression.trainer(4).summaryEveryNSteps(2);
        longer.set("learner.optimizer.learningRate.value", 0.003);
        assertEquals(2, run(longer, dir).size());
    }

    @Test
    void gpuWithoutOne_andATrainerDirThatIsAFile_areOneLineErrors() throws IOException {
        ConfigException gpu =
                assertThrows(
                        ConfigException.class,
                        () -> run(Regression.trainer(1).device("gpu"), dir.resolve("gpu")));
        assertEquals(
                "device=gpu: the PyTorch engine sees no GPU (CPU natives, or no CUDA device); use"
                        + " device=cpu or device=auto",
                gpu.getMessage());
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        ConfigException notDir =
                assertThrows(ConfigException.class, () -> run(Regression.trainer(1), file));
        assertEquals(
                "trainer directory " + file + " is a file, not a directory", notDir.getMessage());
    }
}

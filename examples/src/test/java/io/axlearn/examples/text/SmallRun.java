package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.checkpoint.Checkpoint;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.launch.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** A shrunken text.charlm run for end-to-end tests, driven through the real command line. */
public final class SmallRun {
    private SmallRun() {}

    /** Command-line arguments of a small charlm run of {@code maxStep} steps in {@code dir}. */
    static List<String> args(String command, Path dir, long maxStep, String... extraSets) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                command,
                                "--module",
                                "text.charlm",
                                "--config",
                                "tiny",
                                "--trainer-dir",
                                dir.toString(),
                                "--set",
                                "model.dim=32",
                                "--set",
                                "model.decoder.numLayers=1",
                                "--set",
                                "model.decoder.layer.selfAttention.numHeads=2",
                                "--set",
                                "input.source.seqLen=32",
                                "--set",
                                "input.batchSize=8",
                                "--set",
                                "evalers[validation].input.source.seqLen=32",
                                "--set",
                                "evalers[validation].input.batchSize=8",
                                "--set",
                                "evalers[validation].maxBatches=2",
                                "--set",
                                "evalers[validation].everyNSteps.n=20",
                                "--set",
                                "checkpointer.everyNSteps.n=10",
                                "--set",
                                "summaryEveryNSteps=1",
                                "--set",
                                "maxStep=" + maxStep,
                                "--set",
                                "learner.optimizer.learningRate.maxStep=" + maxStep,
                                "--set",
                                "learner.optimizer.learningRate.warmupSteps=5"));
        for (String s : extraSets) {
            args.add("--set");
            args.add(s);
        }
        return args;
    }

    /** Command-line arguments of a small charlm training run of {@code maxStep} steps. */
    public static List<String> trainArgs(Path dir, long maxStep) {
        return args("train", dir, maxStep);
    }

    /**
     * The start of a command that runs the command line in a fresh JVM on the tests' class path, as
     * {@code ./axlearn} runs it; add the arguments.
     */
    static List<String> mainInChildJvm() {
        return childJvm(Main.class.getName());
    }

    /**
     * The start of a command that runs {@code mainClass} in a fresh JVM on the tests' class path.
     */
    static List<String> childJvm(String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(mainClass);
        return command;
    }

    /** Exit status and output of an in-process run of the command line. */
    public record Result(int status, String out, String err) {}

    public static Result run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status =
                Main.run(
                        args.toArray(String[]::new),
                        new PrintWriter(out, true),
                        new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    /**
     * The training loss by step from {@code summaries/train/metrics.jsonl} (last line per step
     * wins).
     */
    public static SortedMap<Long, Double> losses(Path dir) throws IOException {
        return scalars(dir, "loss");
    }

    /**
     * The training scalar {@code name} by step from {@code summaries/train/metrics.jsonl} (last
     * line per step wins; steps without it are left out).
     */
    public static SortedMap<Long, Double> scalars(Path dir, String name) throws IOException {
        SortedMap<Long, Double> values = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(dir.resolve("summaries/train/metrics.jsonl"))) {
            JsonNode n = json.readTree(line);
            if (n.has(name)) {
                values.put(n.get("step").asLong(), n.get(name).asDouble());
            }
        }
        return values;
    }

    /**
     * Asserts the checkpoints of {@code step} in two runs hold the same tensors (names, shapes) and
     * values to {@code tolerance}, parameters and optimiser state alike.
     */
    static void assertSameCheckpoint(
            Path expectedRun, Path actualRun, long step, double tolerance) {
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            Checkpoint expected = Checkpointer.restore(expectedRun, step, m, null);
            Checkpoint actual = Checkpointer.restore(actualRun, step, m, null);
            assertSameArrays(expected.params(), actual.params(), tolerance);
            assertSameArrays(expected.optimizerState(), actual.optimizerState(), tolerance);
            assertEquals(expected.metadata().optimizerStep(), actual.metadata().optimizerStep());
        }
    }

    private static void assertSameArrays(
            Map<String, NDArray> expected, Map<String, NDArray> actual, double tolerance) {
        assertEquals(expected.keySet(), actual.keySet(), "tensor names");
        expected.forEach(
                (name, e) -> {
                    NDArray a = actual.get(name);
                    assertEquals(e.getShape(), a.getShape(), name);
                    float[] want = e.toFloatArray();
                    float[] got = a.toFloatArray();
                    double worst = 0;
                    for (int i = 0; i < want.length; i++) {
                        worst = Math.max(worst, Math.abs(want[i] - got[i]));
                    }
                    assertEquals(0, worst, tolerance, "largest difference in " + name);
                });
    }

    /** Copies the directory tree {@code from} to {@code to} (a run to resume elsewhere). */
    static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }
}

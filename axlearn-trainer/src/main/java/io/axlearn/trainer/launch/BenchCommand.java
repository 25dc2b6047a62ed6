package io.axlearn.trainer.launch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.core.module.FlopEstimate;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.TrainStep;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.TrainerState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code axlearn bench}: times an experiment's real train step (its input, forward, backward and
 * update, through {@link TrainStep}) without writing a run directory, and prints steps/s,
 * examples/s, tokens/s, where the time goes, the model FLOPs utilisation against this machine's
 * fp32 matrix-multiply peak measured in the same process, the peak resident memory, and one JSON
 * line for tools.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Time an experiment's train step (input, forward, backward, update): steps/s,"
                        + " examples/s, tokens/s, breakdown, MFU, peak memory, and a JSON line.")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Main.ExperimentOptions experiment;

    @Option(
            names = "--steps",
            defaultValue = "20",
            description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(
            names = "--warmup",
            defaultValue = "5",
            description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    /** Side of the square fp32 matrices of the peak measurement. */
    private static final int PEAK_N = 2048;

    @Override
    public Integer call() {
        if (steps < 1 || warmup < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--steps must be at least 1 and --warmup at least 0, got "
                            + steps
                            + " and "
                            + warmup);
        }
        Trainer.Config cfg = Main.trainerConfig(experiment);
        Trainer trainer = cfg.instantiate();
        TrainStep trainStep = trainer.trainStep();
        Input input = trainer.input();
        PrintWriter out = spec.commandLine().getOut();
        long[] stepNanos = new long[steps];
        long[] inputNanos = new long[steps];
        long[][] phases = new long[4][steps];
        long parameters = trainStep.numTrainableValues();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        long examples = 0;
        double peak;
        try (NDManager root = Engines.pytorch().newBaseManager();
                Input.BatchIterator batches =
                        input.iterator(InputState.start(input.getConfig().seed()))) {
            TrainerState state = trainStep.init(root, InputState.start(input.getConfig().seed()));
            for (int i = 0; i < warmup + steps; i++) {
                long t0 = System.nanoTime();
                Batch batch = batches.next();
                long t1 = System.nanoTime();
                try (TrainStep.Output output = trainStep.apply(state, batch)) {
                    state = output.state();
                    output.loss(); // the step's result, read back as the trainer reads it
                    int k = i - warmup;
                    if (k >= 0) {
                        stepNanos[k] = System.nanoTime() - t0;
                        inputNanos[k] = t1 - t0;
                        TrainStep.Timings t = output.timings();
                        phases[0][k] = t.copyNanos();
                        phases[1][k] = t.forwardNanos();
                        phases[2][k] = t.backwardNanos();
                        phases[3][k] = t.updateNanos();
                        examples += batch.size();
                    }
                }
                if (shapes.isEmpty()) {
                    try (NDManager m = root.newSubManager()) {
                        batch.toArrays(m).forEach((name, a) -> shapes.put(name, a.getShape()));
                    }
                }
            }
            peak = matmulPeak(root);
        }
        double seconds = Arrays.stream(stepNanos).sum() / 1e9;
        double stepMs = median(stepNanos) / 1e6;
        double stepsPerSecond = steps / seconds;
        double examplesPerSecond = examples / seconds;
        Shape tokens = shapes.get("inputs");
        double tokensPerSecond =
                tokens != null && tokens.dimension() == 2
                        ? examplesPerSecond * tokens.get(1)
                        : Double.NaN;
        double flops =
                trainer.model() instanceof FlopEstimate f ? f.trainingFlops(shapes) : Double.NaN;
        double achieved = flops / (stepMs / 1e3);
        long rssBytes = peakRssBytes();

        String name = experiment.module + "/" + experiment.config;
        out.printf(
                Locale.ROOT,
                "bench %s: %d steps after %d warm-up, batch %s, %d intra-op threads, %,d"
                        + " trained parameters%n",
                name,
                steps,
                warmup,
                shapes.isEmpty() ? "?" : String.valueOf(firstDim(shapes)),
                ai.djl.pytorch.jni.JniUtils.getNumThreads(),
                parameters);
        out.printf(
                Locale.ROOT,
                "step: %.1f ms median (%.1f to %.1f) | %.2f steps/s | %.1f examples/s%s%n",
                stepMs,
                Arrays.stream(stepNanos).min().getAsLong() / 1e6,
                Arrays.stream(stepNanos).max().getAsLong() / 1e6,
                stepsPerSecond,
                examplesPerSecond,
                Double.isNaN(tokensPerSecond)
                        ? ""
                        : String.format(Locale.ROOT, " | %.0f tokens/s", tokensPerSecond));
        out.printf(
                Locale.ROOT,
                "breakdown (median ms): input %.2f, copy to engine %.2f, forward %.1f, backward"
                        + " %.1f, update %.1f%n",
                median(inputNanos) / 1e6,
                median(phases[0]) / 1e6,
                median(phases[1]) / 1e6,
                median(phases[2]) / 1e6,
                median(phases[3]) / 1e6);
        out.printf(
                Locale.ROOT,
                "matmul peak: %.1f GFLOP/s (fp32 %dx%d, same threads)%n",
                peak / 1e9,
                PEAK_N,
                PEAK_N);
        if (Double.isNaN(flops)) {
            out.println("MFU: n/a (the model does not count its FLOPs: core.module.FlopEstimate)");
        } else {
            out.printf(
                    Locale.ROOT,
                    "model: %.2f GFLOP per step, %.1f GFLOP/s, MFU %.1f%% of the matmul peak%n",
                    flops / 1e9,
                    achieved / 1e9,
                    100 * achieved / peak);
        }
        out.printf(Locale.ROOT, "peak RSS: %.0f MB%n", rssBytes / 1e6);
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("bench", name);
        json.put("steps", steps);
        json.put("warmup", warmup);
        json.put("batch", shapes.isEmpty() ? 0 : firstDim(shapes));
        json.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        json.put("params", parameters);
        json.put("step_ms_median", stepMs);
        json.put("steps_per_second", stepsPerSecond);
        json.put("examples_per_second", examplesPerSecond);
        putFinite(json, "tokens_per_second", tokensPerSecond);
        json.put("input_ms", median(inputNanos) / 1e6);
        json.put("copy_ms", median(phases[0]) / 1e6);
        json.put("forward_ms", median(phases[1]) / 1e6);
        json.put("backward_ms", median(phases[2]) / 1e6);
        json.put("update_ms", median(phases[3]) / 1e6);
        json.put("matmul_peak_gflops", peak / 1e9);
        putFinite(json, "model_gflop_per_step", flops / 1e9);
        putFinite(json, "mfu", achieved / peak);
        json.put("peak_rss_mb", rssBytes / 1e6);
        out.println(json);
        out.flush();
        return 0;
    }

    private static void putFinite(ObjectNode json, String key, double value) {
        if (Double.isFinite(value)) {
            json.put(key, value);
        } else {
            json.putNull(key);
        }
    }

    private static long firstDim(Map<String, Shape> shapes) {
        return shapes.values().iterator().next().get(0);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * The best of 5 timed fp32 matrix products of {@code PEAK_N x PEAK_N} (after 2 untimed), in
     * floating-point operations per second ({@code 2 n^3} per product).
     */
    static double matmulPeak(NDManager root) {
        try (NDManager m = root.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(PEAK_N, PEAK_N));
            NDArray b = m.randomNormal(new Shape(PEAK_N, PEAK_N));
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 7; i++) {
                try (NDManager product = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.getFloat(0, 0); // read back: the product is done
                    if (i >= 2) {
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                    c.close();
                }
            }
            return 2.0 * PEAK_N * PEAK_N * PEAK_N / (best / 1e9);
        }
    }

    /** This process's peak resident set ({@code VmHWM}), or 0 where /proc is not there. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}

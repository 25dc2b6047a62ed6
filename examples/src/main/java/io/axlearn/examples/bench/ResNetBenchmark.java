package io.axlearn.examples.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.AdamW;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.Schedule;
import io.axlearn.core.losses.CrossEntropy;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.TrainStep;
import io.axlearn.trainer.TrainerState;
import io.axlearn.vision.classifier.ImageClassifier;
import io.axlearn.vision.resnet.ResNet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Training-step time of an image classifier through the library's {@link TrainStep} (forward,
 * backward, AdamW update, BatchNorm statistics), on a fixed random batch. The PyTorch eager twin is
 * {@code tools/bench/resnet_step.py}; {@code tools/bench/compare_resnet.sh} runs both alternately.
 *
 * <pre>
 * ./axlearn run-class io.axlearn.examples.bench.ResNetBenchmark [resnet-tiny|resnet18] [batch] [steps] [warmup]
 * </pre>
 *
 * <p>Prints the median step, then one JSON line ({@code step_ms_median}, {@code params}) for {@code
 * tools/bench/compare}. Warm-up steps default to 3.
 *
 * <p>{@code resnet-tiny} is {@code vision.fashion}'s model (1x28x28, small stem, 24/48/96
 * channels); {@code resnet18} is torchvision's ResNet-18 with the small stem at 3x32x32.
 */
public final class ResNetBenchmark {
    private ResNetBenchmark() {}

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "resnet-tiny";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int channels;
        int size;
        ResNet.Config encoder;
        if (model.equals("resnet-tiny")) {
            channels = 1;
            size = 28;
            encoder =
                    ResNet.config()
                            .stem(ResNet.Stem.SMALL)
                            .stemDim(24)
                            .blocksPerStage(List.of(1, 1, 1))
                            .stageDims(List.of(24, 48, 96));
        } else if (model.equals("resnet18")) {
            channels = 3;
            size = 32;
            encoder = ResNet.resnet18().stem(ResNet.Stem.SMALL);
        } else {
            throw new IllegalArgumentException("model must be resnet-tiny or resnet18: " + model);
        }
        ImageClassifier classifier =
                ImageClassifier.config()
                        .encoder(encoder)
                        .numClasses(10)
                        .imageShape(channels, size, size)
                        .loss(CrossEntropy.config().labelSmoothing(0.1))
                        .instantiate();
        Learner learner =
                Learner.config()
                        .optimizer(AdamW.config().learningRate(Schedule.constant(1e-3)))
                        .instantiate();
        TrainStep trainStep = new TrainStep(classifier, learner, 0, 1);
        Batch data = batch(batch, channels * size * size);
        try (NDManager run = Engines.pytorch().newBaseManager()) {
            TrainerState state = trainStep.init(run, InputState.start(0));
            double[] times = new double[steps];
            double[][] phases = new double[3][steps];
            for (int i = 0; i < steps + warmup; i++) {
                long start = System.nanoTime();
                try (TrainStep.Output out = trainStep.apply(state, data)) {
                    state = out.state();
                    out.loss();
                    if (i >= warmup) {
                        times[i - warmup] = (System.nanoTime() - start) / 1e6;
                        TrainStep.Timings t = out.timings();
                        phases[0][i - warmup] = t.forwardNanos() / 1e6;
                        phases[1][i - warmup] = t.backwardNanos() / 1e6;
                        phases[2][i - warmup] = t.updateNanos() / 1e6;
                    }
                }
            }
            double median = Median.of(times);
            System.out.println(RuntimeSettings.describe());
            System.out.printf(
                    Locale.ROOT,
                    "axlearn %s batch %d: median step %.1f ms, %.0f images/s (%d steps); "
                            + "forward %.1f, backward %.1f, update %.1f ms%n",
                    model,
                    batch,
                    median,
                    batch * 1000 / median,
                    steps,
                    Median.of(phases[0]),
                    Median.of(phases[1]),
                    Median.of(phases[2]));
            System.out.printf(
                    Locale.ROOT,
                    "{\"bench\":\"%s\",\"batch\":%d,\"steps\":%d,\"warmup\":%d,"
                            + "\"params\":%d,\"step_ms_median\":%.3f,\"forward_ms\":%.3f,"
                            + "\"backward_ms\":%.3f,\"update_ms\":%.3f}%n",
                    model,
                    batch,
                    steps,
                    warmup,
                    trainStep.numTrainableValues(),
                    median,
                    Median.of(phases[0]),
                    Median.of(phases[1]),
                    Median.of(phases[2]));
        }
    }

    /** A fixed batch of {@code n} random images of {@code pixels} values and random labels. */
    private static Batch batch(int n, int pixels) {
        Random random = new Random(0);
        ByteBuffer image = ByteBuffer.allocateDirect(n * pixels * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n * pixels; i++) {
            image.putFloat((float) random.nextGaussian());
        }
        ByteBuffer label = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        ByteBuffer weight = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            label.putInt(random.nextInt(10));
            weight.putFloat(1f);
        }
        TreeMap<String, ByteBuffer> features = new TreeMap<>();
        features.put("image", image.rewind());
        features.put("label", label.rewind());
        features.put(Batch.WEIGHT, weight.rewind());
        return new Batch(
                features,
                Map.of(
                        "image",
                        new Shape(n, pixels),
                        "label",
                        new Shape(n, 1),
                        Batch.WEIGHT,
                        new Shape(n)),
                Map.of(
                        "image",
                        DataType.FLOAT32,
                        "label",
                        DataType.INT32,
                        Batch.WEIGHT,
                        DataType.FLOAT32),
                InputState.start(0));
    }
}

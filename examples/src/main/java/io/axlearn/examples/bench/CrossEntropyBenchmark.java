package io.axlearn.examples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.losses.CrossEntropy;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.core.ndarray.NativeMemory;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BinaryOperator;

/**
 * Forward+backward time and peak native memory of a token cross-entropy over a BERT-sized
 * vocabulary (V = 30,522): the one-hot formulation {@code CausalLm} used before {@link
 * CrossEntropy}, {@link CrossEntropy} itself (gather), and the other ways DJL's PyTorch engine can
 * pick the target's log-probability ({@code NDIndex.addPickDim}, {@code take} on flat indices).
 *
 * <p>Each step copies fixed logits {@code [B, T, V]} onto its own manager as a leaf that requires a
 * gradient, then times the loss and its backward pass. Steps of the variants alternate. Peak memory
 * is measured in separate rounds: a thread samples {@link NativeMemory#mallocInUseBytes} every 0.1
 * ms, and the figure is the peak minus the value before the loss (so the logits are not counted,
 * their gradient is). Checks first that the one-hot and gather losses and gradients agree.
 *
 * <pre>
 * ./axlearn run-class io.axlearn.examples.bench.CrossEntropyBenchmark [steps] [rounds] [B] [T] [V]
 * </pre>
 */
public final class CrossEntropyBenchmark {
    private CrossEntropyBenchmark() {}

    /** One way of computing the loss from logits {@code [B, T, V]} and targets {@code [B, T]}. */
    private record Variant(String name, BinaryOperator<NDArray> loss) {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int seq = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int vocab = args.length > 4 ? Integer.parseInt(args[4]) : 30_522;
        Engine engine = Engines.pytorch();
        CrossEntropy plain = CrossEntropy.config().instantiate();
        CrossEntropy full =
                CrossEntropy.config().labelSmoothing(0.1).zLossScale(1e-4).instantiate();
        List<Variant> variants =
                List.of(
                        new Variant("one-hot (CausalLm before)", CrossEntropyBenchmark::oneHot),
                        new Variant("CrossEntropy (gather)", (x, t) -> plain.forward(x, t).loss()),
                        new Variant(
                                "CrossEntropy, smoothing 0.1 + z-loss",
                                (x, t) -> full.forward(x, t).loss()),
                        new Variant("NLL only, NDIndex pick", CrossEntropyBenchmark::pickNll),
                        new Variant("NLL only, take (flat)", CrossEntropyBenchmark::takeNll));
        try (NDManager root = engine.newBaseManager()) {
            engine.setRandomSeed(0);
            Shape shape = new Shape(batch, seq, vocab);
            NDArray logits = root.randomNormal(shape).muli(2f);
            NDArray targets = root.randomInteger(0, vocab, new Shape(batch, seq), DataType.INT64);
            checkAgreement(root, logits, targets, variants);
            for (int i = 0; i < 2; i++) {
                for (Variant v : variants) {
                    step(v, root, logits, targets, null);
                }
            }
            double[][] times = new double[variants.size()][steps * rounds];
            for (int i = 0; i < steps * rounds; i++) {
                for (int k = 0; k < variants.size(); k++) {
                    times[k][i] = step(variants.get(k), root, logits, targets, null);
                }
            }
            double[][] peaks = new double[variants.size()][Math.max(3, steps / 2)];
            try (PeakSampler sampler = new PeakSampler()) {
                for (int i = 0; i < peaks[0].length; i++) {
                    for (int k = 0; k < variants.size(); k++) {
                        step(variants.get(k), root, logits, targets, sampler);
                        peaks[k][i] = sampler.peakAboveStart() / (1024.0 * 1024.0);
                    }
                }
            }
            System.out.println(RuntimeSettings.describe());
            System.out.printf(
                    "loss fwd+bwd, logits [%d, %d, %d] (%.0f MiB): median of %d steps each,"
                            + " alternating; peak native memory above the logits, median of %d%n",
                    batch,
                    seq,
                    vocab,
                    shape.size() * 4 / 1048576.0,
                    times[0].length,
                    peaks[0].length);
            System.out.printf("| %-38s | %10s | %16s |%n", "variant", "time", "peak memory");
            for (int k = 0; k < variants.size(); k++) {
                System.out.printf(
                        "| %-38s | %7.1f ms | %12.0f MiB |%n",
                        variants.get(k).name(), Median.of(times[k]), Median.of(peaks[k]));
            }
        }
    }

    /** The loss and accuracy lines {@code CausalLm.forward} had before {@link CrossEntropy}. */
    private static NDArray oneHot(NDArray logits, NDArray targets) {
        long vocab = logits.getShape().tail();
        NDArray logProbs = logits.logSoftmax(-1);
        NDArray oneHot =
                targets.toType(DataType.INT64, false)
                        .oneHot((int) vocab)
                        .toType(DataType.FLOAT32, false);
        NDArray nll = logProbs.mul(oneHot).sum(new int[] {-1}).neg();
        NDArray tokenWeight = targets.onesLike().toType(DataType.FLOAT32, false);
        NDArray denominator = tokenWeight.sum().maximum(1f);
        NDArray correct =
                logits.argMax(-1)
                        .eq(targets.toType(DataType.INT64, false))
                        .toType(DataType.FLOAT32, false);
        correct.mul(tokenWeight).sum().div(denominator);
        return nll.mul(tokenWeight).sum().div(denominator);
    }

    private static NDArray pickNll(NDArray logits, NDArray targets) {
        NDArray logProbs = logits.logSoftmax(-1);
        NDIndex pick = new NDIndex();
        for (int i = 0; i < targets.getShape().dimension(); i++) {
            pick.addAllDim(); // the pick applies to the axis after the full slices: the last
        }
        return logProbs.get(pick.addPickDim(targets.expandDims(-1))).mean().neg();
    }

    private static NDArray takeNll(NDArray logits, NDArray targets) {
        long vocab = logits.getShape().tail();
        long n = targets.size();
        NDArray flat =
                logits.getManager()
                        .arange(0L, n * vocab, vocab, DataType.INT64)
                        .add(targets.reshape(n));
        return logits.logSoftmax(-1).take(flat).mean().neg();
    }

    /** Fails unless one-hot and gather agree on the loss and the gradient. */
    private static void checkAgreement(
            NDManager root, NDArray logits, NDArray targets, List<Variant> variants) {
        float[][] grads = new float[2][];
        float[] losses = new float[2];
        for (int k = 0; k < 2; k++) {
            try (NDManager m = root.newSubManager()) {
                NDArray x = onStep(m, logits);
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = variants.get(k).loss().apply(x, onStep(m, targets));
                    losses[k] = loss.getFloat();
                    gc.backward(loss);
                }
                grads[k] = x.getGradient().toFloatArray();
            }
        }
        double maxDiff = 0;
        for (int i = 0; i < grads[0].length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(grads[0][i] - grads[1][i]));
        }
        System.out.printf(
                "loss one-hot %.6f, gather %.6f; max |gradient difference| %.3g%n",
                losses[0], losses[1], maxDiff);
        if (Math.abs(losses[0] - losses[1]) > 1e-4 || maxDiff > 1e-8) {
            throw new IllegalStateException("one-hot and gather losses differ");
        }
    }

    /** Times one forward+backward of {@code v} on fresh copies of the inputs; ms. */
    private static double step(
            Variant v, NDManager root, NDArray logits, NDArray targets, PeakSampler sampler) {
        try (NDManager m = root.newSubManager()) {
            NDArray x = onStep(m, logits);
            x.setRequiresGradient(true);
            NDArray t = onStep(m, targets);
            if (sampler != null) {
                sampler.start();
            }
            long start = System.nanoTime();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(v.loss().apply(x, t));
            }
            x.getGradient().getFloat(0, 0, 0);
            double ms = (System.nanoTime() - start) / 1e6;
            if (sampler != null) {
                sampler.stop();
            }
            return ms;
        }
    }

    /** A copy of {@code a} on {@code m}: results of ops land on the manager of their receiver. */
    private static NDArray onStep(NDManager m, NDArray a) {
        NDArray copy = a.duplicate();
        copy.attach(m);
        return copy;
    }

    /** Samples malloc'd bytes in a background thread between {@link #start} and {@link #stop}. */
    private static final class PeakSampler implements AutoCloseable {
        private final Thread thread;
        private volatile boolean sampling;
        private volatile boolean closed;
        private volatile long startBytes;
        private volatile long peakBytes;

        PeakSampler() {
            thread = new Thread(this::run, "peak-memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (!closed) {
                if (sampling) {
                    long now = NativeMemory.mallocInUseBytes();
                    if (now > peakBytes) {
                        peakBytes = now;
                    }
                }
                LockSupport.parkNanos(100_000);
            }
        }

        void start() {
            startBytes = NativeMemory.mallocInUseBytes();
            peakBytes = startBytes;
            sampling = true;
        }

        void stop() {
            sampling = false;
            long now = NativeMemory.mallocInUseBytes();
            if (now > peakBytes) {
                peakBytes = now;
            }
        }

        long peakAboveStart() {
            return peakBytes - startBytes;
        }

        @Override
        public void close() {
            closed = true;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.axlearn.examples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.training.GradientCollector;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.InputState;
import io.axlearn.core.learner.AdamW;
import io.axlearn.core.learner.GlobalNormClipping;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.Schedule;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.text.lm.CausalLm;
import io.axlearn.trainer.TrainStep;
import io.axlearn.trainer.TrainerState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A full GPT training step (forward, cross-entropy, backward, global-norm clipping, AdamW) through
 * the library's {@link TrainStep} and through the same network written directly on DJL NDArrays
 * with a hand-written AdamW, in one JVM on the same batch, alternating blocks of steps. Prints each
 * side's median step and the ratio library / hand-written.
 *
 * <pre>
 * ./axlearn run-class io.axlearn.examples.bench.HandWrittenGptBenchmark [blockSteps] [rounds] [warmup]
 * </pre>
 *
 * <p>The model is {@code CausalLm.gpt}: byte vocabulary, d=256, 4 pre-norm layers of 4 heads,
 * exact-GELU FFN 1024, rotary embeddings, output tied to the embedding, no dropout; batch 16 x 128.
 * AdamW: lr 3e-4, betas 0.9/0.999, eps 1e-8, weight decay 0.01 on the matrices (the library's
 * default: biases and norm scales get none); clipping at global norm 1.0. Both sides start from the
 * library's initial weights (the hand-written one keeps copies, the linear weights transposed to
 * {@code [out, in]} as torch stores them), and the first step's loss must agree before anything is
 * timed.
 */
public final class HandWrittenGptBenchmark {
    static final int VOCAB = 256;
    static final double LR = 3e-4;
    static final double WEIGHT_DECAY = 0.01;
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;
    static final double MAX_NORM = 1.0;
    static final double CLIP_EPS = 1e-8;

    private HandWrittenGptBenchmark() {}

    /** Sizes of the network and the batch. */
    record Dims(int dim, int layers, int heads, int ffn, int seq, int batch) {
        static final Dims GPT_ROW = new Dims(256, 4, 4, 1024, 128, 16);

        int headDim() {
            return dim / heads;
        }
    }

    public static void main(String[] args) {
        int block = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Dims dims = Dims.GPT_ROW;
        TrainStep library = libraryStep(dims, LR);
        Batch batch = batch(dims, 0);
        try (NDManager run = Engines.pytorch().newBaseManager()) {
            TrainerState[] state = {library.init(run, InputState.start(0))};
            HandWrittenGpt hand = new HandWrittenGpt(dims, LR, state[0].params().asMap(), run);
            if (hand.numValues() != library.numTrainableValues()
                    || hand.numTensors() != state[0].params().asMap().size()) {
                throw new IllegalStateException(
                        "the two sides count different parameters: "
                                + hand.numValues()
                                + " values in "
                                + hand.numTensors()
                                + " tensors against "
                                + library.numTrainableValues()
                                + " in "
                                + state[0].params().asMap().size());
            }
            double[] libraryFirst = {0};
            double handFirst = hand.step(batch, null);
            try (TrainStep.Output out = library.apply(state[0], batch)) {
                state[0] = out.state();
                libraryFirst[0] = out.loss();
            }
            System.out.printf(
                    Locale.ROOT,
                    "step 1 loss: library %.6f, hand-written %.6f; %d parameters in %d tensors%n",
                    libraryFirst[0],
                    handFirst,
                    hand.numValues(),
                    hand.numTensors());
            if (Math.abs(libraryFirst[0] - handFirst) > 1e-4) {
                throw new IllegalStateException("the two steps compute different losses");
            }
            for (int i = 1; i < warmup; i++) {
                hand.step(batch, null);
                try (TrainStep.Output out = library.apply(state[0], batch)) {
                    state[0] = out.state();
                }
            }
            int liveBefore = run.getManagedArrays().size();
            List<Double> lib = new ArrayList<>();
            List<Double> dir = new ArrayList<>();
            double[][] libPhases = new double[3][rounds * block];
            double[][] dirPhases = new double[3][rounds * block];
            for (int r = 0; r < rounds; r++) {
                // Which side goes first alternates, so neither always follows the other.
                for (int side = 0; side < 2; side++) {
                    boolean libraryNow = (r + side) % 2 == 0;
                    for (int i = 0; i < block; i++) {
                        int k = r * block + i;
                        long start = System.nanoTime();
                        if (libraryNow) {
                            try (TrainStep.Output out = library.apply(state[0], batch)) {
                                state[0] = out.state();
                                out.loss();
                                lib.add((System.nanoTime() - start) / 1e6);
                                TrainStep.Timings t = out.timings();
                                libPhases[0][k] = t.forwardNanos() / 1e6;
                                libPhases[1][k] = t.backwardNanos() / 1e6;
                                libPhases[2][k] = t.updateNanos() / 1e6;
                            }
                        } else {
                            double[] phases = new double[3];
                            hand.step(batch, phases);
                            dir.add((System.nanoTime() - start) / 1e6);
                            for (int p = 0; p < 3; p++) {
                                dirPhases[p][k] = phases[p];
                            }
                        }
                    }
                }
            }
            if (run.getManagedArrays().size() != liveBefore) {
                throw new IllegalStateException(
                        "arrays leaked onto the run's manager: "
                                + liveBefore
                                + " -> "
                                + run.getManagedArrays().size());
            }
            double libMedian = Median.of(lib);
            double dirMedian = Median.of(dir);
            System.out.println(RuntimeSettings.describe());
            System.out.printf(
                    Locale.ROOT,
                    "GPT d%d L%d B%d T%d full step: library %.1f ms (forward %.1f, backward %.1f,"
                            + " update %.1f), hand-written DJL %.1f ms (forward %.1f, backward %.1f,"
                            + " update %.1f), ratio %.3f (median of %d steps each, %d rounds of"
                            + " %d, alternating)%n",
                    dims.dim(),
                    dims.layers(),
                    dims.batch(),
                    dims.seq(),
                    libMedian,
                    Median.of(libPhases[0]),
                    Median.of(libPhases[1]),
                    Median.of(libPhases[2]),
                    dirMedian,
                    Median.of(dirPhases[0]),
                    Median.of(dirPhases[1]),
                    Median.of(dirPhases[2]),
                    libMedian / dirMedian,
                    lib.size(),
                    rounds,
                    block);
            System.out.printf(
                    Locale.ROOT,
                    "{\"bench\":\"gpt_library_vs_handwritten\",\"params\":%d,"
                            + "\"library_ms\":%.3f,\"handwritten_ms\":%.3f,\"ratio\":%.4f}%n",
                    hand.numValues(),
                    libMedian,
                    dirMedian,
                    libMedian / dirMedian);
        }
    }

    /** The library side: {@code CausalLm.gpt} and the AdamW learner described above. */
    static TrainStep libraryStep(Dims dims, double lr) {
        CausalLm model =
                CausalLm.gpt(
                                VOCAB,
                                dims.dim(),
                                dims.layers(),
                                dims.heads(),
                                dims.ffn() / (double) dims.dim(),
                                0.0)
                        .instantiate();
        Learner learner =
                Learner.config()
                        .optimizer(
                                AdamW.config()
                                        .learningRate(Schedule.constant(lr))
                                        .beta1(BETA1)
                                        .beta2(BETA2)
                                        .eps(EPS)
                                        .weightDecay(WEIGHT_DECAY))
                        .clipping(GlobalNormClipping.config(MAX_NORM).eps(CLIP_EPS))
                        .instantiate();
        return new TrainStep(model, learner, 0, 1);
    }

    /** A fixed batch of random bytes: inputs, the next bytes as targets, weight 1 per example. */
    static Batch batch(Dims dims, long seed) {
        int n = dims.batch() * dims.seq();
        Random random = new Random(seed);
        ByteBuffer inputs = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        ByteBuffer targets = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        for (int b = 0; b < dims.batch(); b++) {
            int next = random.nextInt(VOCAB);
            for (int t = 0; t < dims.seq(); t++) {
                inputs.putInt(next);
                next = random.nextInt(VOCAB);
                targets.putInt(next);
            }
        }
        ByteBuffer weight =
                ByteBuffer.allocateDirect(dims.batch() * 4).order(ByteOrder.nativeOrder());
        for (int b = 0; b < dims.batch(); b++) {
            weight.putFloat(1f);
        }
        TreeMap<String, ByteBuffer> features = new TreeMap<>();
        features.put(CausalLm.INPUTS, inputs.rewind());
        features.put(CausalLm.TARGETS, targets.rewind());
        features.put(Batch.WEIGHT, weight.rewind());
        Shape ids = new Shape(dims.batch(), dims.seq());
        return new Batch(
                features,
                Map.of(
                        CausalLm.INPUTS,
                        ids,
                        CausalLm.TARGETS,
                        ids,
                        Batch.WEIGHT,
                        new Shape(dims.batch())),
                Map.of(
                        CausalLm.INPUTS,
                        DataType.INT32,
                        CausalLm.TARGETS,
                        DataType.INT32,
                        Batch.WEIGHT,
                        DataType.FLOAT32),
                InputState.start(0));
    }

    /**
     * The GPT written directly with DJL NDArray calls: its own parameters (copies of the library's
     * initial ones), AdamW moments and constant tables, and a step that runs in its own
     * sub-manager.
     */
    static final class HandWrittenGpt {
        private final Dims d;
        private final double lr;
        private final NDManager home;
        private final NDArray embedding; // [V, D]
        private final Layer[] layers;
        private final NDArray normScale;
        private final NDArray normBias;
        private final List<NDArray> params = new ArrayList<>();
        private final Map<String, NDArray> byPath = new TreeMap<>();
        private final Set<String> transposed = new TreeSet<>();
        private final List<Boolean> decayed = new ArrayList<>();
        private final List<NDArray[]> moments = new ArrayList<>();
        private final NDArray causal; // [1, 1, T, T]: 0 or -1e9
        private final NDArray cos; // [1, 1, T, head dim]
        private final NDArray sin;
        private final NDArray queryScale;
        private long step;

        /** One pre-norm layer's parameters; linear weights {@code [out, in]}. */
        private record Layer(
                NDArray norm1Scale,
                NDArray norm1Bias,
                NDArray wq,
                NDArray bq,
                NDArray wk,
                NDArray bk,
                NDArray wv,
                NDArray bv,
                NDArray wo,
                NDArray bo,
                NDArray norm2Scale,
                NDArray norm2Bias,
                NDArray w1,
                NDArray b1,
                NDArray w2,
                NDArray b2) {}

        /**
         * @param dims the sizes
         * @param lr the constant learning rate
         * @param init the library's parameters by path, copied here (read once, not shared)
         * @param home where the parameters, moments and tables live
         */
        HandWrittenGpt(Dims dims, double lr, Map<String, NDArray> init, NDManager home) {
            this.d = dims;
            this.lr = lr;
            this.home = home;
            embedding = copy(init, "embedding/weight", false);
            layers = new Layer[dims.layers()];
            for (int i = 0; i < dims.layers(); i++) {
                String l = "decoder/layer" + i + "/";
                String a = l + "self_attention/";
                String f = l + "feed_forward/";
                layers[i] =
                        new Layer(
                                copy(init, l + "attention_norm/scale", false),
                                copy(init, l + "attention_norm/bias", false),
                                copy(init, a + "q_proj/weight", true),
                                copy(init, a + "q_proj/bias", false),
                                copy(init, a + "k_proj/weight", true),
                                copy(init, a + "k_proj/bias", false),
                                copy(init, a + "v_proj/weight", true),
                                copy(init, a + "v_proj/bias", false),
                                copy(init, a + "o_proj/weight", true),
                                copy(init, a + "o_proj/bias", false),
                                copy(init, l + "feed_forward_norm/scale", false),
                                copy(init, l + "feed_forward_norm/bias", false),
                                copy(init, f + "linear1/weight", true),
                                copy(init, f + "linear1/bias", false),
                                copy(init, f + "linear2/weight", true),
                                copy(init, f + "linear2/bias", false));
            }
            normScale = copy(init, "output_norm/scale", false);
            normBias = copy(init, "output_norm/bias", false);
            int t = dims.seq();
            float[] mask = new float[t * t];
            for (int q = 0; q < t; q++) {
                for (int k = q + 1; k < t; k++) {
                    mask[q * t + k] = -1e9f;
                }
            }
            causal = home.create(mask, new Shape(1, 1, t, t));
            int h = dims.headDim();
            float[] c = new float[t * h];
            float[] s = new float[t * h];
            for (int p = 0; p < t; p++) {
                for (int i = 0; i < h / 2; i++) {
                    double angle = p * Math.pow(10000, -2.0 * i / h);
                    c[p * h + i] = c[p * h + i + h / 2] = (float) Math.cos(angle);
                    s[p * h + i] = s[p * h + i + h / 2] = (float) Math.sin(angle);
                }
            }
            cos = home.create(c, new Shape(1, 1, t, h));
            sin = home.create(s, new Shape(1, 1, t, h));
            queryScale = home.create((float) (1 / Math.sqrt(h)));
        }

        private NDArray copy(Map<String, NDArray> init, String path, boolean linear) {
            NDArray from = init.get(path);
            if (from == null) {
                throw new IllegalArgumentException("no parameter " + path + " in " + init.keySet());
            }
            // Linear weights are [in, out] in the library; torch (and this side) keep [out, in].
            NDArray source = linear ? from.transpose() : from;
            // A contiguous copy in memory the engine allocated (adding the view copies it in
            // order).
            NDArray p = home.zeros(source.getShape(), source.getDataType()).addi(source);
            p.setRequiresGradient(true);
            params.add(p);
            byPath.put(path, p);
            if (linear) {
                transposed.add(path);
            }
            decayed.add(p.getShape().dimension() == 2);
            moments.add(
                    new NDArray[] {
                        home.zeros(p.getShape(), p.getDataType()),
                        home.zeros(p.getShape(), p.getDataType())
                    });
            return p;
        }

        long numValues() {
            return params.stream().mapToLong(NDArray::size).sum();
        }

        int numTensors() {
            return params.size();
        }

        /** This side's copy of the library parameter {@code path}, in the library's layout. */
        NDArray parameter(String path) {
            NDArray p = byPath.get(path);
            return transposed.contains(path) ? p.transpose() : p;
        }

        /**
         * One training step on {@code batch}; returns the loss before the update.
         *
         * @param phases where to write forward, backward and update milliseconds, or null
         */
        double step(Batch batch, double[] phases) {
            step++;
            try (NDManager m = home.newSubManager()) {
                long t0 = System.nanoTime();
                NDArray inputs = ids(m, batch, CausalLm.INPUTS);
                NDArray targets = ids(m, batch, CausalLm.TARGETS);
                NDArray loss;
                long t1;
                long t2;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss = loss(forward(inputs), targets);
                    t1 = System.nanoTime();
                    gc.backward(loss);
                    t2 = System.nanoTime();
                }
                List<NDArray> grads = new ArrayList<>();
                for (NDArray p : params) {
                    NDArray g = p.getGradient();
                    g.attach(m);
                    grads.add(g);
                }
                NDArray sumSq = null;
                for (NDArray g : grads) {
                    NDArray s = g.square().sum();
                    sumSq = sumSq == null ? s : sumSq.addi(s);
                }
                NDArray norm = sumSq.sqrt();
                NDArray scale =
                        norm.add((float) CLIP_EPS).pow(-1).mul((float) MAX_NORM).minimum(1f);
                for (NDArray g : grads) {
                    g.muli(scale);
                }
                float lossValue = loss.getFloat();
                if (!Float.isFinite(lossValue + norm.getFloat())) {
                    throw new IllegalStateException("diverged at step " + step);
                }
                adamW(grads);
                for (NDArray g : grads) {
                    g.muli(0f);
                }
                if (phases != null) {
                    phases[0] = (t1 - t0) / 1e6;
                    phases[1] = (t2 - t1) / 1e6;
                    phases[2] = (System.nanoTime() - t2) / 1e6;
                }
                return lossValue;
            }
        }

        /** Feature {@code name} of {@code batch} as int64 ids {@code [B, T]} on {@code m}. */
        private NDArray ids(NDManager m, Batch batch, String name) {
            return m.create(
                            batch.features().get(name).duplicate(),
                            new Shape(d.batch(), d.seq()),
                            DataType.INT32)
                    .toType(DataType.INT64, false);
        }

        /** Logits {@code [B, T, V]} of {@code ids [B, T]} (int64, on the step's manager). */
        NDArray forward(NDArray ids) {
            NDArray x =
                    ai.djl.nn.core.Embedding.embedding(ids, embedding, SparseFormat.DENSE)
                            .singletonOrThrow();
            for (Layer l : layers) {
                NDArray a = layerNorm(x, l.norm1Scale(), l.norm1Bias());
                NDArray q = rotate(heads(linear(a, l.wq(), l.bq())));
                NDArray k = rotate(heads(linear(a, l.wk(), l.bk())));
                NDArray v = heads(linear(a, l.wv(), l.bv()));
                NDArray probs =
                        q.mul(queryScale).matMul(k.transpose(0, 1, 3, 2)).add(causal).softmax(-1);
                NDArray context =
                        probs.matMul(v).transpose(0, 2, 1, 3).reshape(d.batch(), d.seq(), d.dim());
                x = x.add(linear(context, l.wo(), l.bo()));
                NDArray f = layerNorm(x, l.norm2Scale(), l.norm2Bias());
                f = ai.djl.nn.Activation.gelu(linear(f, l.w1(), l.b1()));
                x = x.add(linear(f, l.w2(), l.b2()));
            }
            return linear(layerNorm(x, normScale, normBias), embedding, null);
        }

        /** Mean next-token cross-entropy of {@code logits [B, T, V]} against {@code targets}. */
        NDArray loss(NDArray logits, NDArray targets) {
            return logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).mean().neg();
        }

        /** AdamW over every parameter, the same arithmetic as the library's (see Adam). */
        private void adamW(List<NDArray> grads) {
            double rootCorrection2 = Math.sqrt(1 - Math.pow(BETA2, step));
            double stepSize = lr * rootCorrection2 / (1 - Math.pow(BETA1, step));
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                NDArray g = grads.get(i);
                NDArray mu = moments.get(i)[0];
                NDArray nu = moments.get(i)[1];
                if (decayed.get(i)) {
                    p.muli(1 - lr * WEIGHT_DECAY);
                }
                try (NDManager scope = home.newSubManager()) {
                    scope.tempAttachAll(p, g, mu, nu);
                    mu.subi(g).muli(BETA1).addi(g);
                    nu.muli(BETA2).addi(g.square().muli(1 - BETA2));
                    NDArray denom = nu.sqrt().addi(EPS * rootCorrection2);
                    p.subi(mu.div(denom).muli(stepSize));
                }
            }
        }

        private NDArray linear(NDArray x, NDArray weight, NDArray bias) {
            return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
        }

        private NDArray layerNorm(NDArray x, NDArray scale, NDArray bias) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(d.dim()), scale, bias, 1e-6f)
                    .singletonOrThrow();
        }

        private NDArray heads(NDArray x) {
            return x.reshape(d.batch(), d.seq(), d.heads(), d.headDim()).transpose(0, 2, 1, 3);
        }

        private NDArray rotate(NDArray x) {
            int half = d.headDim() / 2;
            NDArray x1 = x.get(new NDIndex("..., :{}", half));
            NDArray x2 = x.get(new NDIndex("..., {}:", half));
            return x.mul(cos).add(NDArrays.concat(new NDList(x2.neg(), x1), -1).mul(sin));
        }
    }
}

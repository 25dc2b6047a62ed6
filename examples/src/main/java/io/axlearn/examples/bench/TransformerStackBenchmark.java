package io.axlearn.examples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.attention.AttentionBias;
import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.StackedTransformer;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.core.ndarray.OwnedArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Forward+backward time of a 4-layer pre-norm causal Transformer stack (d=256, 4 heads, FFN 1024,
 * GELU, sequence 128, batch 16) through the library ({@link StackedTransformer}) and through the
 * same network written directly with DJL NDArray calls, on the same weights. Prints the median step
 * times and their ratio; checks first that both compute the same output.
 *
 * <pre>
 * ./axlearn run-class io.axlearn.examples.bench.TransformerStackBenchmark [measuredSteps] [rounds]
 * </pre>
 */
public final class TransformerStackBenchmark {
    private static final int LAYERS = 4;
    private static final int DIM = 256;
    private static final int HEADS = 4;
    private static final int HIDDEN = 1024;
    private static final int SEQ = 128;
    private static final int BATCH = 16;

    private TransformerStackBenchmark() {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Engine engine = Engines.pytorch();
        TransformerLayer.Config layer =
                TransformerLayer.config().feedForward(FeedForward.config().hiddenDim(HIDDEN));
        layer.set("selfAttention.numHeads", HEADS).set("selfAttention.causal", true);
        StackedTransformer stack =
                StackedTransformer.config()
                        .inputDim(DIM)
                        .numLayers(LAYERS)
                        .layer(layer)
                        .instantiate();
        try (NDManager paramsManager = engine.newBaseManager()) {
            ParamTree params = stack.initParams(0, paramsManager);
            params.asMap().values().forEach(p -> p.setRequiresGradient(true));
            HandWritten hand = new HandWritten(params);
            NDArray x = paramsManager.randomNormal(new Shape(BATCH, SEQ, DIM));

            // Each step copies the input onto its own manager: results land on the manager of
            // their receiver, so an input on the long-lived manager would keep every step's
            // graph alive there.
            Function<NDManager, NDArray> library =
                    m -> stack.forward(ForwardContext.of(params, m, true, 0), onStep(m, x));
            Function<NDManager, NDArray> direct = m -> hand.forward(m, onStep(m, x));
            try (NDManager m = paramsManager.newSubManager()) {
                float diff = library.apply(m).sub(direct.apply(m)).abs().max().getFloat();
                System.out.printf("max |library - hand-written| = %.3g%n", diff);
                if (diff > 1e-4) {
                    throw new IllegalStateException("the two networks differ");
                }
            }
            int liveBefore = paramsManager.getManagedArrays().size();
            List<Double> lib = new ArrayList<>();
            List<Double> dir = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                time(library, paramsManager, params);
                time(direct, paramsManager, params);
            }
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < steps; i++) {
                    lib.add(time(library, paramsManager, params));
                    dir.add(time(direct, paramsManager, params));
                }
            }
            int liveAfter = paramsManager.getManagedArrays().size();
            if (liveAfter != liveBefore) {
                throw new IllegalStateException(
                        "arrays leaked onto the parameters' manager: "
                                + liveBefore
                                + " -> "
                                + liveAfter);
            }
            double libMedian = Median.of(lib);
            double dirMedian = Median.of(dir);
            System.out.println(RuntimeSettings.describe());
            System.out.printf(
                    "4-layer stack fwd+bwd (B=%d T=%d d=%d): library %.1f ms, hand-written DJL %.1f ms,"
                            + " ratio %.3f (median of %d steps each, alternating)%n",
                    BATCH, SEQ, DIM, libMedian, dirMedian, libMedian / dirMedian, lib.size());
        }
    }

    private static NDArray onStep(NDManager m, NDArray x) {
        return m.zeros(x.getShape()).addi(x);
    }

    private static double time(
            Function<NDManager, NDArray> forward, NDManager paramsManager, ParamTree params) {
        long start = System.nanoTime();
        try (NDManager m = paramsManager.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(forward.apply(m).square().mean());
            }
            for (NDArray p : params.asMap().values()) {
                NDArray g = p.getGradient();
                g.attach(m);
                g.muli(0f);
            }
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /** The same network written directly with DJL calls, reading the same parameter arrays. */
    private static final class HandWritten {
        private final Map<String, NDArray> p;

        HandWritten(ParamTree params) {
            this.p = params.asMap();
        }

        NDArray forward(NDManager m, NDArray x) {
            NDArray causal = AttentionBias.causal(m, SEQ, SEQ, 0);
            NDArray h = x;
            for (int i = 0; i < LAYERS; i++) {
                String l = "layer" + i + "/";
                NDArray a = norm(h, l + "attention_norm/");
                NDArray q = heads(linear(m, a, l + "self_attention/q_proj/"));
                NDArray k = heads(linear(m, a, l + "self_attention/k_proj/"));
                NDArray v = heads(linear(m, a, l + "self_attention/v_proj/"));
                NDArray probs =
                        q.mul(OwnedArrays.scalar(q, (float) (1 / Math.sqrt(DIM / HEADS))))
                                .matMul(k.transpose(0, 1, 3, 2))
                                .add(causal)
                                .softmax(-1);
                NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(BATCH, SEQ, DIM);
                h = h.add(linear(m, ctx, l + "self_attention/o_proj/"));
                NDArray f = norm(h, l + "feed_forward_norm/");
                f = ai.djl.nn.Activation.gelu(linear(m, f, l + "feed_forward/linear1/"));
                h = h.add(linear(m, f, l + "feed_forward/linear2/"));
            }
            return h;
        }

        private NDArray norm(NDArray x, String prefix) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(
                            x,
                            new Shape(DIM),
                            p.get(prefix + "scale"),
                            p.get(prefix + "bias"),
                            1e-6f)
                    .singletonOrThrow();
        }

        private NDArray linear(NDManager m, NDArray x, String prefix) {
            NDArray w = p.get(prefix + "weight").transpose();
            w.attach(m);
            return ai.djl.nn.core.Linear.linear(x, w, p.get(prefix + "bias")).singletonOrThrow();
        }

        private static NDArray heads(NDArray x) {
            return x.reshape(BATCH, SEQ, HEADS, DIM / HEADS).transpose(0, 2, 1, 3);
        }
    }
}

package io.axlearn.core.learner;

import static io.axlearn.core.testing.TorchGolden.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LearnerTest {
    /** fp32 tolerance of the optimizer goldens, absolute and relative. */
    private static final double TOL = 1e-6;

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "sgd",
                "sgd_momentum",
                "sgd_nesterov",
                "adam",
                "adamw",
                "lion",
                "adam_clip",
                "adam_cosine"
            })
    void fiveSteps_matchTorchOptim(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(LearnerTest.class, name, m);
            Learner learner = learnerFor(g).instantiateAt("learner");
            ParamTree params = g.params();
            SortedMap<String, ParamSpec> specs = specsFor(params, g.meta("noDecay"));
            OptimizerState state = learner.initState(specs, params, m);
            int steps = g.intMeta("steps");
            double[] norms = floats(g.output("norms"));
            double[] lrs = g.output("lr").toDoubleArray();
            for (int step = 1; step <= steps; step++) {
                Map<String, NDArray> grads = new HashMap<>();
                for (String path : specs.keySet()) {
                    grads.put(path, g.grad(step + "/" + path));
                }
                Learner.Output out = learner.step(step, params, grads, state);
                assertEquals(lrs[step - 1], out.learningRate(), 1e-15, "lr at step " + step);
                assertEquals(norms[step - 1], out.gradNorm(), 1e-6 * norms[step - 1], "norm");
                for (String path : specs.keySet()) {
                    assertAllClose(
                            g.output(step + "/" + path),
                            params.get(path),
                            TOL,
                            TOL,
                            name + " step " + step + " " + path);
                }
            }
            assertEquals(steps, state.step());
        }
    }

    /** The learner config a golden's metadata describes. */
    private static Learner.Config learnerFor(TorchGolden g) {
        Schedule.Config<?> lr =
                g.has("outputs/lr") && isCosine(g)
                        ? Schedule.cosineWithLinearWarmup(
                                        dbl(g, "peak"),
                                        g.intMeta("warmupSteps"),
                                        g.intMeta("maxStep"))
                                .alpha(dbl(g, "alpha"))
                                .beginValue(dbl(g, "beginValue"))
                        : Schedule.constant(dbl(g, "lr"));
        double wd = hasMeta(g, "weightDecay") ? dbl(g, "weightDecay") : 0;
        Optimizer.Config<?> opt =
                switch (g.meta("optimizer")) {
                    case "sgd" ->
                            Sgd.config()
                                    .momentum(hasMeta(g, "momentum") ? dbl(g, "momentum") : 0)
                                    .nesterov(
                                            hasMeta(g, "nesterov")
                                                    && Boolean.parseBoolean(g.meta("nesterov")))
                                    .learningRate(lr)
                                    .weightDecay(wd);
                    case "adam" ->
                            Adam.config()
                                    .beta1(dbl(g, "beta1"))
                                    .beta2(dbl(g, "beta2"))
                                    .eps(dbl(g, "eps"))
                                    .learningRate(lr)
                                    .weightDecay(wd);
                    case "adamw" ->
                            AdamW.config()
                                    .beta1(dbl(g, "beta1"))
                                    .beta2(dbl(g, "beta2"))
                                    .eps(dbl(g, "eps"))
                                    .learningRate(lr)
                                    .weightDecay(wd);
                    case "lion" ->
                            Lion.config()
                                    .beta1(dbl(g, "beta1"))
                                    .beta2(dbl(g, "beta2"))
                                    .learningRate(lr)
                                    .weightDecay(wd);
                    default -> throw new IllegalArgumentException(g.meta("optimizer"));
                };
        GlobalNormClipping.Config clip =
                hasMeta(g, "maxNorm")
                        ? GlobalNormClipping.config(dbl(g, "maxNorm")).eps(dbl(g, "clipEps"))
                        : GlobalNormClipping.config(null);
        return Learner.config().optimizer(opt).clipping(clip);
    }

    private static boolean isCosine(TorchGolden g) {
        return hasMeta(g, "schedule") && g.meta("schedule").equals("cosine");
    }

    private static boolean hasMeta(TorchGolden g, String key) {
        try {
            g.meta(key);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    private static double dbl(TorchGolden g, String key) {
        return Double.parseDouble(g.meta(key));
    }

    private static double[] floats(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Weights with decay scale 1; the paths in {@code noDecay} like biases, with scale 0. */
    static SortedMap<String, ParamSpec> specsFor(ParamTree params, String noDecay) {
        SortedMap<String, ParamSpec> specs = new TreeMap<>();
        params.asMap()
                .forEach(
                        (path, p) ->
                                specs.put(
                                        path,
                                        new ParamSpec(
                                                p.getShape(),
                                                DataType.FLOAT32,
                                                null,
                                                FanAxes.NONE,
                                                noDecay.contains(path) ? 0.0 : 1.0,
                                                true)));
        return specs;
    }
}

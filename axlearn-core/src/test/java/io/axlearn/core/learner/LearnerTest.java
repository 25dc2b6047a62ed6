package io.axlearn.core.learner;

import static io.axlearn.core.testing.TorchGolden.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.core.testing.TorchGolden;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
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

    @Test
    void autogradTraining_fitsALinearRegression() {
        // y = x . [1, -2, 3] + 0.5, fitted from zeros with AdamW through real DJL gradients.
        Learner learner =
                Learner.config()
                        .optimizer(AdamW.config().learningRate(0.1).weightDecay(1e-4))
                        .clipping(GlobalNormClipping.config(10.0))
                        .instantiate();
        try (NDManager root = TorchGolden.manager();
                NDManager paramsManager = root.newSubManager()) {
            ParamTree params =
                    ParamTree.of(
                            Map.of(
                                    "w", paramsManager.zeros(new Shape(3, 1)),
                                    "b", paramsManager.zeros(new Shape(1))));
            params.asMap().values().forEach(p -> p.setRequiresGradient(true));
            SortedMap<String, ParamSpec> specs = specsFor(params, "b");
            OptimizerState state = learner.initState(specs, params, paramsManager);
            int live = LeakCheck.liveArrays(paramsManager);
            double first = 0;
            double last = 0;
            root.getEngine().setRandomSeed(3);
            for (int step = 1; step <= 150; step++) {
                try (NDManager sm = root.newSubManager()) {
                    NDArray x = sm.randomNormal(new Shape(16, 3));
                    NDArray y =
                            x.matMul(sm.create(new float[] {1, -2, 3}, new Shape(3, 1))).add(0.5f);
                    double loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray pred = x.matMul(params.get("w")).add(params.get("b"));
                        NDArray l = pred.sub(y).square().mean();
                        gc.backward(l);
                        loss = l.getFloat();
                    }
                    Map<String, NDArray> grads = new HashMap<>();
                    for (String path : specs.keySet()) {
                        NDArray g = params.get(path).getGradient();
                        g.attach(sm);
                        grads.put(path, g);
                    }
                    Learner.Output out = learner.step(step, params, grads, state);
                    assertTrue(out.gradNorm() > 0);
                    // DJL accumulates into .grad across collectors: zero it for the next step.
                    grads.values().forEach(g -> g.muli(0));
                    first = step == 1 ? loss : first;
                    last = loss;
                }
            }
            assertTrue(first > 5, "initial loss " + first);
            assertTrue(last < 1e-3, "final loss " + last + " from " + first);
            assertArrayEquals(
                    new float[] {1, -2, 3}, params.get("w").toFloatArray(), 0.05f, "fitted w");
            assertEquals(0.5, params.get("b").getFloat(), 0.05, "fitted b");
            assertEquals(live, LeakCheck.liveArrays(paramsManager));
        }
    }

    @Test
    void config_jsonRoundTripAndDump() {
        Learner.Config cfg =
                Learner.config()
                        .optimizer(
                                AdamW.config()
                                        .learningRate(
                                                Schedule.cosineWithLinearWarmup(3e-4, 2000, 100_000)
                                                        .alpha(0.1))
                                        .beta2(0.95)
                                        .weightDecay(0.1))
                        .clipping(GlobalNormClipping.config(1.0));
        Learner.Config back = ConfigJson.fromJson(ConfigJson.toJson(cfg), Learner.Config.class);
        assertEquals(cfg, back);
        String dump = back.toString();
        assertTrue(dump.contains("optimizer.@type: core/AdamW"), dump);
        assertTrue(
                dump.contains("optimizer.learningRate.@type: core/CosineWithLinearWarmup"), dump);
        back.set("optimizer.learningRate.peak", 1e-3);
        assertEquals(1e-3, back.instantiate().optimizer().learningRate(2000), 1e-15);
        assertEquals(3e-4 * 0.1, cfg.instantiate().optimizer().learningRate(100_000), 1e-15);
    }

    @Test
    void learnerOutput_scalarsHaveSummaryNames() {
        Learner.Output out = new Learner.Output(0.1, 2.5);
        assertEquals(Map.of("learning_rate", 0.1, "gradient_norm", 2.5), out.scalars());
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

package io.axlearn.core.learner;

import static io.axlearn.core.testing.TorchGolden.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.attention.FeedForward;
import io.axlearn.core.attention.TransformerLayer;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigOverrides;
import io.axlearn.core.config.ConfigValues;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.core.testing.TorchGolden;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
                "adamw_rules",
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
            learner.effectiveSpecs(specs)
                    .forEach(
                            (path, spec) -> {
                                boolean hasState =
                                        state.arrays().keySet().stream()
                                                .anyMatch(k -> k.endsWith("/" + path));
                                assertTrue(
                                        spec.trainable() || !hasState, "state of frozen " + path);
                            });
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
    void effectiveSpecs_defaultRulesSpelledOut_equalTheLayersOwnScales() {
        TransformerLayer.Config layer = TransformerLayer.config().inputDim(8);
        layer.set("selfAttention.numHeads", 2);
        SortedMap<String, ParamSpec> specs =
                layer.feedForward(FeedForward.config().hiddenDim(16)).instantiate().paramSpecs();
        Map<String, Double> spelledOut = new LinkedHashMap<>();
        spelledOut.put(".*bias|.*norm.*", 0.0);
        spelledOut.put(".*", 1.0);
        Learner learner =
                Learner.config()
                        .optimizer(AdamW.config().learningRate(1e-3).weightDecayScales(spelledOut))
                        .instantiate();
        SortedMap<String, ParamSpec> effective = learner.effectiveSpecs(specs);
        assertEquals(specs.keySet(), effective.keySet());
        assertTrue(specs.values().stream().anyMatch(p -> p.weightDecayScale() == 0), "no bias?");
        specs.forEach(
                (path, spec) ->
                        assertEquals(
                                spec.weightDecayScale(),
                                effective.get(path).weightDecayScale(),
                                path));
        assertEquals(
                specs,
                Learner.config()
                        .optimizer(AdamW.config().learningRate(1e-3))
                        .instantiate()
                        .effectiveSpecs(specs),
                "no rules: the specs as they are");
    }

    @Test
    void rules_firstFullMatchWins_inInsertionOrder() {
        SortedMap<String, ParamSpec> specs = new TreeMap<>();
        for (String path : List.of("dense/weight", "dense/bias", "embed/weight", "head/weight")) {
            specs.put(path, ParamSpec.weight(new Shape(2, 2), FanAxes.NONE));
        }
        Learner learner =
                Learner.config()
                        .optimizer(
                                Sgd.config()
                                        .learningRate(0.1)
                                        .weightDecayScale("dense/.*", 0.0)
                                        .weightDecayScale(".*", 0.5)
                                        .weightDecayScale("embed/.*", 2.0) // never reached
                                        .learningRateScale("embed", 3.0) // not the whole path
                                        .learningRateScale(".*/weight", 0.25))
                        .freezeParams("head/.*", "nothing")
                        .instantiate();
        SortedMap<String, ParamSpec> effective = learner.effectiveSpecs(specs);
        assertEquals(0.0, effective.get("dense/weight").weightDecayScale());
        assertEquals(0.0, effective.get("dense/bias").weightDecayScale());
        assertEquals(0.5, effective.get("embed/weight").weightDecayScale());
        assertFalse(effective.get("head/weight").trainable());
        assertTrue(effective.get("dense/weight").trainable());
        assertEquals(0.25, learner.optimizer().learningRateScale("embed/weight"));
        assertEquals(1.0, learner.optimizer().learningRateScale("dense/bias"));
        // A spec that is not trainable stays so, whatever the rules say.
        specs.put("norm/moving_mean", ParamSpec.statistic(2, 0));
        assertFalse(learner.effectiveSpecs(specs).get("norm/moving_mean").trainable());
    }

    @Test
    void rules_fromSetOverrides_keepTheirOrderThroughJson() {
        Learner.Config cfg = Learner.config().optimizer(AdamW.config().learningRate(1e-3));
        ConfigOverrides.builder()
                .set("optimizer.weightDecayScales={\"dense/.*\": 0.0, \".*\": 1.0}")
                .set("optimizer.learningRateScales[embed/.*]=0.5")
                .set("frozenParams=[\"head/.*\"]")
                .build()
                .applyTo(cfg);
        Learner.Config back = ConfigJson.fromJson(ConfigJson.toJson(cfg), Learner.Config.class);
        assertEquals(cfg, back);
        assertEquals(
                List.of("dense/.*", ".*"),
                List.copyOf(back.optimizer().weightDecayScales().keySet()),
                "order decides which rule wins");
        assertEquals(Map.of("embed/.*", 0.5), back.optimizer().learningRateScales());
        assertEquals(List.of("head/.*"), back.frozenParams());
        assertTrue(
                back.toString().contains("optimizer.weightDecayScales[dense/.*]: 0.0"),
                back.toString());
        Learner learner = back.instantiate();
        SortedMap<String, ParamSpec> specs = new TreeMap<>();
        specs.put("dense/weight", ParamSpec.weight(new Shape(2, 2), FanAxes.NONE));
        specs.put("head/bias", ParamSpec.bias(2));
        specs.put("embed/weight", ParamSpec.weight(new Shape(2, 2), FanAxes.NONE));
        SortedMap<String, ParamSpec> effective = learner.effectiveSpecs(specs);
        assertEquals(0.0, effective.get("dense/weight").weightDecayScale());
        assertEquals(1.0, effective.get("head/bias").weightDecayScale());
        assertFalse(effective.get("head/bias").trainable());
        assertEquals(0.5, learner.optimizer().learningRateScale("embed/weight"));
    }

    @Test
    void rules_invalid_oneClearConfigErrorNamingThePath() {
        assertEquals(
                "learner.optimizer.weightDecayScales[layer(0] is not a valid regular expression"
                        + " (Unclosed group near index 7): layer(0 (AdamW.Config)",
                configError(AdamW.config().learningRate(1e-3).weightDecayScale("layer(0", 0.0)));
        assertEquals(
                "learner.optimizer.learningRateScales[.*] must be >= 0 and finite, got -1.0"
                        + " (Sgd.Config)",
                configError(Sgd.config().learningRate(1e-3).learningRateScale(".*", -1)));
        assertEquals(
                "learner.frozenParams[1] is not a valid regular expression (Dangling meta"
                        + " character '*' near index 0): *bad (Learner.Config)",
                assertThrows(
                                ConfigException.class,
                                () ->
                                        Learner.config()
                                                .optimizer(Sgd.config().learningRate(1e-3))
                                                .freezeParams("ok/.*", "*bad")
                                                .instantiateAt("learner"))
                        .getMessage());
    }

    /** The message of the config error a learner with {@code optimizer} fails with. */
    private static String configError(Optimizer.Config<?> optimizer) {
        return assertThrows(
                        ConfigException.class,
                        () -> Learner.config().optimizer(optimizer).instantiateAt("learner"))
                .getMessage();
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
        Learner.Config cfg = Learner.config().optimizer(opt).clipping(clip);
        // Per-parameter rules, written as a --set value would be.
        for (String rule : new String[] {"weightDecayScales", "learningRateScales"}) {
            if (hasMeta(g, rule)) {
                cfg.set("optimizer." + rule, ConfigValues.parse(g.meta(rule)));
            }
        }
        if (hasMeta(g, "frozenParams")) {
            cfg.set("frozenParams", ConfigValues.parse(g.meta("frozenParams")));
        }
        return cfg;
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

package io.axlearn.core.learner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.MissingRequiredException;
import io.axlearn.core.init.FanAxes;
import io.axlearn.core.module.ParamSpec;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.core.testing.TorchGolden;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    private static SortedMap<String, ParamSpec> specs() {
        SortedMap<String, ParamSpec> specs = new TreeMap<>();
        specs.put("dense/weight", ParamSpec.weight(new Shape(8, 16), FanAxes.of(0, 1)));
        specs.put("dense/bias", ParamSpec.bias(16));
        specs.put("norm/moving_mean", ParamSpec.statistic(16, 0.0));
        return specs;
    }

    private static ParamTree params(NDManager m) {
        m.getEngine().setRandomSeed(7);
        return ParamTree.of(
                Map.of(
                        "dense/weight", m.randomNormal(new Shape(8, 16)),
                        "dense/bias", m.randomNormal(new Shape(16)),
                        "norm/moving_mean", m.randomNormal(new Shape(16))));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            doubles = {Double.NaN, Double.POSITIVE_INFINITY, -1e-3})
    void learningRatesThatAreNotFiniteAndNonNegative_areConfigErrors(double peak) {
        io.axlearn.core.config.ConfigException e =
                assertThrows(
                        io.axlearn.core.config.ConfigException.class,
                        () ->
                                AdamW.config()
                                        .learningRate(
                                                Schedule.cosineWithLinearWarmup(peak, 10, 100))
                                        .instantiateAt("learner.optimizer"));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "learner.optimizer.learningRate must be finite and >= 0 at every"
                                        + " step, got "),
                e.getMessage());
    }

    @Test
    void adam_twoThousandSteps_leaveNoArraysBehind() {
        Learner learner =
                Learner.config()
                        .optimizer(
                                AdamW.config()
                                        .learningRate(
                                                Schedule.cosineWithLinearWarmup(1e-2, 100, 2000))
                                        .weightDecay(0.1))
                        .clipping(GlobalNormClipping.config(1.0))
                        .instantiate();
        try (NDManager root = TorchGolden.manager();
                NDManager paramsManager = root.newSubManager()) {
            ParamTree params = params(paramsManager);
            float[] w0 = params.get("dense/weight").toFloatArray();
            OptimizerState state = learner.initState(specs(), params, paramsManager);
            int before = LeakCheck.liveArrays(paramsManager);
            int afterFirst = -1;
            for (long step = 1; step <= 2000; step++) {
                // Gradients on the parameters' manager, like getGradient() handles, closed after.
                NDArray gw = paramsManager.randomNormal(new Shape(8, 16));
                NDArray gb = paramsManager.randomNormal(new Shape(16));
                try {
                    learner.step(step, params, Map.of("dense/weight", gw, "dense/bias", gb), state);
                } finally {
                    gw.close();
                    gb.close();
                }
                if (step == 1) {
                    afterFirst = LeakCheck.liveArrays(paramsManager);
                }
            }
            int after = LeakCheck.liveArrays(paramsManager);
            assertEquals(before, afterFirst, "arrays on the params manager after step 1");
            assertEquals(before, after, "arrays on the params manager after 2000 steps");
            // 3 params + mu/nu of the 2 trainable ones.
            assertEquals(3 + 4, before);
            assertEquals(2000, state.step());
            assertNotEquals(w0[0], params.get("dense/weight").toFloatArray()[0]);
        }
    }

    @Test
    void frozenParameters_haveNoStateAndNeverChange() {
        Optimizer adam = Adam.config().learningRate(0.1).weightDecay(0.5).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = params(m);
            NDArray stat0 = params.get("norm/moving_mean").duplicate();
            NDArray bias0 = params.get("dense/bias").duplicate();
            OptimizerState state = adam.initState(specs(), params, m);
            assertEquals(
                    List.of("mu/dense/bias", "mu/dense/weight", "nu/dense/bias", "nu/dense/weight"),
                    List.copyOf(state.arrays().keySet()));
            assertEquals(new Shape(8, 16), state.slot("mu", "dense/weight").getShape());
            assertThrows(
                    IllegalArgumentException.class, () -> state.slot("mu", "norm/moving_mean"));
            NDArray gw = m.ones(new Shape(8, 16));
            NDArray gb = m.ones(new Shape(16));
            adam.update(1, params, Map.of("dense/weight", gw, "dense/bias", gb), state);
            assertEquals(stat0, params.get("norm/moving_mean"));
            // First Adam step moves every element by lr (|g| is 1), whatever the gradient scale.
            float[] moved = params.get("dense/bias").sub(bias0).toFloatArray();
            for (float d : moved) {
                assertEquals(-0.1, d, 1e-6);
            }
            assertEquals(1, state.step());
        }
    }

    @Test
    void missingGradientOrStepZero_isAnError() {
        Optimizer sgd = Sgd.config().learningRate(0.1).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree params = params(m);
            OptimizerState state = sgd.initState(specs(), params, m);
            assertEquals(0, state.arrays().size());
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    sgd.update(
                                            1,
                                            params,
                                            Map.of("dense/weight", m.ones(new Shape(8, 16))),
                                            state));
            assertTrue(e.getMessage().startsWith("no gradient for trainable parameter dense/bias"));
            Map<String, NDArray> grads =
                    Map.of(
                            "dense/weight",
                            m.ones(new Shape(8, 16)),
                            "dense/bias",
                            m.ones(new Shape(16)));
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> sgd.update(0, params, grads, state));
            assertEquals("steps count from 1, got 0", e.getMessage());
        }
    }

    @Test
    void restoredState_continuesBiasCorrectionFromItsStep() {
        // Two runs of 3 steps: one straight, one that copies the state after step 2 into a
        // fresh state (as a checkpoint restore does) and does step 3 from it.
        Optimizer adam = Adam.config().learningRate(0.05).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            SortedMap<String, ParamSpec> specs = new TreeMap<>();
            specs.put("w", ParamSpec.weight(new Shape(4), FanAxes.NONE));
            NDArray[] grads = {
                m.create(new float[] {1, -2, 3, 0.5f}),
                m.create(new float[] {0.1f, 2, -1, 4}),
                m.create(new float[] {-3, 1, 1, 1})
            };
            ParamTree a = ParamTree.of(Map.of("w", m.zeros(new Shape(4))));
            OptimizerState sa = adam.initState(specs, a, m);
            for (int t = 1; t <= 3; t++) {
                adam.update(t, a, Map.of("w", grads[t - 1]), sa);
            }
            ParamTree b = ParamTree.of(Map.of("w", m.zeros(new Shape(4))));
            OptimizerState sb = adam.initState(specs, b, m);
            for (int t = 1; t <= 2; t++) {
                adam.update(t, b, Map.of("w", grads[t - 1]), sb);
            }
            OptimizerState restored = adam.initState(specs, b, m);
            sb.arrays().forEach((k, v) -> restored.arrays().get(k).set(v.toFloatArray()));
            restored.restoreStep(sb.step());
            adam.update(restored.step() + 1, b, Map.of("w", grads[2]), restored);
            assertEquals(a.get("w"), b.get("w"));
            assertEquals(3, restored.step());
        }
    }

    @Test
    void validation_namesTheFullPath() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Learner.config()
                                        .optimizer(Adam.config().learningRate(0.1).beta1(1.5))
                                        .instantiateAt("learner"));
        assertEquals(
                "learner.optimizer.beta1 must be in [0, 1), got 1.5 (Adam.Config)", e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Learner.config()
                                        .optimizer(
                                                AdamW.config()
                                                        .learningRate(
                                                                Schedule.cosineWithLinearWarmup(
                                                                        1, 10, 5)))
                                        .instantiateAt("learner"));
        assertEquals(
                "learner.optimizer.learningRate.maxStep must be greater than warmupSteps (10),"
                        + " got 5 (Schedule.CosineWithLinearWarmup)",
                e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () -> Sgd.config().learningRate(0.1).nesterov(true).instantiateAt("opt"));
        assertEquals("opt.nesterov requires momentum > 0 (Sgd.Config)", e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () -> Lion.config().learningRate(0.1).weightDecay(-1).instantiateAt("opt"));
        assertEquals("opt.weightDecay must be >= 0, got -1.0 (Lion.Config)", e.getMessage());
        MissingRequiredException missing =
                assertThrows(
                        MissingRequiredException.class,
                        () -> Learner.config().optimizer(Adam.config()).instantiateAt("learner"));
        assertTrue(
                missing.getMessage().contains("learner.optimizer.learningRate"),
                missing.getMessage());
    }
}

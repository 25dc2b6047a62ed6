package io.axlearn.core.losses;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.core.config.ConfigTypeProvider;
import io.axlearn.core.config.ConfigTypes;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.core.testing.TorchGolden;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CrossEntropyTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "lm_plain",
                "lm_smoothing_weights",
                "classifier_smoothing_zloss",
                "lm_zloss"
            })
    void forwardAndGradient_matchTorchCrossEntropy(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(CrossEntropyTest.class, name, m);
            CrossEntropy loss =
                    CrossEntropy.config()
                            .labelSmoothing(Double.parseDouble(g.meta("labelSmoothing")))
                            .zLossScale(Double.parseDouble(g.meta("zLossScale")))
                            .instantiate();
            NDArray logits = g.input("logits");
            logits.setRequiresGradient(true);
            CrossEntropy.Output out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out =
                        name.equals("lm_plain")
                                ? loss.forward(logits, g.input("targets"))
                                : loss.forward(logits, g.input("targets"), g.input("weights"));
                gc.backward(out.loss());
            }
            assertClose(g.output("loss"), out.loss(), "loss");
            assertClose(g.output("cross_entropy"), out.crossEntropy(), "cross_entropy");
            assertClose(g.output("z_loss"), out.zLoss(), "z_loss");
            assertClose(g.output("per_target"), out.perTarget(), "per_target");
            assertClose(g.output("accuracy"), out.accuracy(), "accuracy");
            assertClose(g.output("total_weight"), out.totalWeight(), "total_weight");
            assertClose(g.grad("logits"), logits.getGradient(), "dloss/dlogits");
            float accuracy = out.accuracy().getFloat();
            assertTrue(accuracy > 0 && accuracy < 1, "accuracy " + accuracy + " tests nothing");
            assertEquals(loss.hasZLoss(), out.metrics(loss.hasZLoss()).containsKey("z_loss"));
        }
    }

    @Test
    void forward_everyWeightZero_givesZeroLossAndGradient() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray logits = m.randomNormal(new Shape(2, 3, 5));
            logits.setRequiresGradient(true);
            NDArray targets = m.create(new long[] {0, 1, 2, 3, 4, 0}, new Shape(2, 3));
            CrossEntropy.Output out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out =
                        CrossEntropy.config()
                                .labelSmoothing(0.1)
                                .zLossScale(1e-3)
                                .instantiate()
                                .forward(logits, targets, m.zeros(new Shape(2, 3)));
                gc.backward(out.loss());
            }
            assertEquals(DataType.FLOAT32, out.loss().getDataType());
            assertEquals(0f, out.loss().getFloat());
            assertEquals(0f, out.accuracy().getFloat());
            assertEquals(0f, out.totalWeight().getFloat());
            assertEquals(0f, logits.getGradient().abs().max().getFloat());
        }
    }

    @Test
    void forward_int32Targets_matchInt64Targets() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray logits = m.randomNormal(new Shape(4, 7));
            NDArray targets = m.create(new int[] {6, 0, 3, 3});
            CrossEntropy loss = CrossEntropy.config().instantiate();
            assertEquals(
                    loss.forward(logits, targets.toType(DataType.INT64, false)).loss().getFloat(),
                    loss.forward(logits, targets).loss().getFloat());
        }
    }

    @Test
    void forward_leavesNothingOnOtherManagers() {
        try (NDManager root = TorchGolden.manager()) {
            int live = LeakCheck.liveArrays(root);
            try (NDManager step = root.newSubManager()) {
                NDArray logits = step.randomNormal(new Shape(2, 8, 50));
                NDArray targets = step.randomInteger(0, 50, new Shape(2, 8), DataType.INT64);
                CrossEntropy.config()
                        .zLossScale(1e-4)
                        .labelSmoothing(0.1)
                        .instantiate()
                        .forward(logits, targets)
                        .loss()
                        .getFloat();
                assertTrue(LeakCheck.liveArrays(step) > 10, "the loss's arrays are on the step");
            }
            assertEquals(live, LeakCheck.liveArrays(root));
        }
    }

    @Test
    void forward_badShapes_sayWhatIsWrong() {
        try (NDManager m = TorchGolden.manager()) {
            CrossEntropy loss = CrossEntropy.config().instantiate();
            NDArray logits = m.zeros(new Shape(2, 3, 5));
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> loss.forward(logits, m.zeros(new Shape(2, 4), DataType.INT64)));
            assertEquals(
                    "logits (2, 3, 5) must be targets (2, 4) plus a class axis", e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> loss.forward(logits, m.zeros(new Shape(2, 3))));
            assertEquals("targets must be integer class ids, got float32", e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    loss.forward(
                                            logits,
                                            m.zeros(new Shape(2, 3), DataType.INT64),
                                            m.ones(new Shape(2))));
            assertEquals("weights (2) must have the shape of the targets (2, 3)", e.getMessage());
        }
    }

    @Test
    void config_invalidValues_nameThePath() {
        var e =
                assertThrows(
                        ConfigException.class,
                        () -> CrossEntropy.config().labelSmoothing(1).instantiateAt("model.loss"));
        assertEquals(
                "model.loss.labelSmoothing must be in [0, 1), got 1.0 (CrossEntropy.Config)",
                e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () -> CrossEntropy.config().zLossScale(-1e-4).instantiateAt("model.loss"));
        assertEquals(
                "model.loss.zLossScale must be >= 0 and finite, got -1.0E-4 (CrossEntropy.Config)",
                e.getMessage());
    }

    @Test
    void config_registeredAndRoundTripsThroughJson() {
        assertTrue(
                ServiceLoader.load(ConfigTypeProvider.class).stream()
                        .anyMatch(p -> p.type() == LossesConfigTypes.class),
                "LossesConfigTypes is not in META-INF/services");
        new LossesConfigTypes()
                .configTypes()
                .forEach((name, type) -> assertEquals(type, ConfigTypes.classOf(name), name));
        CrossEntropy.Config cfg = CrossEntropy.config().labelSmoothing(0.1).zLossScale(1e-4);
        String json = ConfigJson.toJson(cfg);
        assertTrue(json.contains("\"@type\" : \"core/CrossEntropy\""), json);
        assertEquals(cfg, ConfigJson.fromJson(json, CrossEntropy.Config.class));
        cfg.set("labelSmoothing", 0.2);
        assertEquals(0.2, cfg.instantiate().getConfig().get("labelSmoothing"));
    }
}

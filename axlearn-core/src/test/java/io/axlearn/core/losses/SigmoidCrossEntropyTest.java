package io.axlearn.core.losses;

import static io.axlearn.core.testing.TorchGolden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;

class SigmoidCrossEntropyTest {

    @Test
    void forwardAndGradient_matchTorchBinaryCrossEntropyWithLogits() {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(SigmoidCrossEntropyTest.class, "weighted", m);
            NDArray logits = g.input("logits");
            logits.setRequiresGradient(true);
            SigmoidCrossEntropy.Output out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out =
                        SigmoidCrossEntropy.config()
                                .instantiate()
                                .forward(logits, g.input("targets"), g.input("weights"));
                gc.backward(out.loss());
            }
            assertClose(g.output("loss"), out.loss(), "loss");
            assertClose(g.output("per_target"), out.perTarget(), "per_target");
            assertClose(g.output("accuracy"), out.accuracy(), "accuracy");
            assertClose(g.output("total_weight"), out.totalWeight(), "total_weight");
            assertClose(g.grad("logits"), logits.getGradient(), "dloss/dlogits");
        }
    }

    @Test
    void forward_largeLogits_stayFinite() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray logits = m.create(new float[] {200f, -200f});
            NDArray out =
                    SigmoidCrossEntropy.config()
                            .instantiate()
                            .forward(logits, m.create(new float[] {0f, 0f}), m.ones(new Shape(2)))
                            .loss();
            assertEquals(100f, out.getFloat(), 1e-3f); // (200 + 0) / 2
        }
    }

    @Test
    void forward_shapeMismatch_namesTheShapes() {
        try (NDManager m = TorchGolden.manager()) {
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    SigmoidCrossEntropy.config()
                                            .instantiate()
                                            .forward(
                                                    m.zeros(new Shape(2, 3)),
                                                    m.zeros(new Shape(2, 3)),
                                                    m.ones(new Shape(2))));
            assertEquals(
                    "logits (2, 3), targets (2, 3) and weights (2) must have one shape",
                    e.getMessage());
        }
    }
}

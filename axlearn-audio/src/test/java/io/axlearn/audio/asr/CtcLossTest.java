package io.axlearn.audio.asr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CtcLossTest {

    /** Random (repeats, an empty label, unequal lengths) and real-length (100 frames) cases. */
    @ParameterizedTest
    @ValueSource(strings = {"random", "real"})
    void matchesTorchCtcLoss_lossesAndGradients(String name) {
        try (NDManager m = TorchGolden.manager()) {
            TorchGolden g = TorchGolden.load(CtcLossTest.class, name, m);
            NDArray logits = g.input("logits");
            logits.setRequiresGradient(true);
            NDArray labelLengths = g.input("label_lengths");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss =
                        CtcLoss.perExample(
                                logits.logSoftmax(-1),
                                g.input("input_lengths"),
                                g.input("labels"),
                                labelLengths,
                                false);
                TorchGolden.assertAllClose(g.output("loss"), loss, 1e-5, 1e-4, "loss");
                long batch = loss.getShape().get(0);
                NDArray mean =
                        CtcLoss.mean(
                                loss, labelLengths, m.ones(new ai.djl.ndarray.types.Shape(batch)));
                TorchGolden.assertAllClose(g.output("mean"), mean.reshape(1), 1e-5, 1e-5, "mean");
                gc.backward(mean);
            }
            TorchGolden.assertAllClose(
                    g.grad("logits"), logits.getGradient(), 1e-4, 1e-6, "dL/dlogits");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void impossibleAlignmentIsFinite_orZeroWithZeroInfinity(boolean zeroInfinity) {
        try (NDManager m = TorchGolden.manager()) {
            NDArray logProbs =
                    m.randomNormal(new ai.djl.ndarray.types.Shape(1, 2, 4)).logSoftmax(-1);
            NDArray loss =
                    CtcLoss.perExample(
                            logProbs,
                            m.create(new int[] {2}),
                            m.create(new int[][] {{1, 1, 2}}),
                            m.create(new int[] {3}),
                            zeroInfinity);
            float l = loss.getFloat(0);
            if (zeroInfinity) {
                assertEquals(0f, l);
            } else {
                assertEquals(-CtcLoss.LOG_ZERO, l, 1e25);
            }
        }
    }

    @Test
    void impossibleAlignment_withZeroInfinity_hasZeroGradient_andLeavesTheOthersFinite() {
        try (NDManager m = TorchGolden.manager()) {
            // Example 0: 3 labels with a repeat in 3 frames (needs 4): impossible.
            // Example 1: 2 labels in 3 frames: possible.
            NDArray logits = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 3, 4));
            logits.setRequiresGradient(true);
            NDArray labelLengths = m.create(new int[] {3, 2});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss =
                        CtcLoss.perExample(
                                logits.logSoftmax(-1),
                                m.create(new int[] {3, 3}),
                                m.create(new int[][] {{1, 1, 2}, {3, 2, 0}}),
                                labelLengths,
                                true);
                assertEquals(0f, loss.getFloat(0), "impossible: zeroed");
                assertTrue(loss.getFloat(1) > 0 && Float.isFinite(loss.getFloat(1)));
                gc.backward(
                        CtcLoss.mean(
                                loss, labelLengths, m.ones(new ai.djl.ndarray.types.Shape(2))));
            }
            float[] grad = logits.getGradient().toFloatArray();
            for (int i = 0; i < grad.length; i++) {
                assertTrue(Float.isFinite(grad[i]), "gradient " + i + " is " + grad[i]);
                if (i < 12) {
                    assertEquals(0f, grad[i], "the impossible example's gradient is zero");
                }
            }
            float possible = 0;
            for (int i = 12; i < grad.length; i++) {
                possible += Math.abs(grad[i]);
            }
            assertTrue(possible > 0, "the possible example still learns");
        }
    }
}

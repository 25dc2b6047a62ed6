package io.axlearn.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dropout and stochastic depth: identity in evaluation, seeded masks with the right statistics in
 * training.
 */
class DropoutTest {

    @Test
    void dropout_evalIsIdentity_trainingDropsAndRescalesDeterministically() {
        Dropout dropout = Dropout.config().rate(0.25).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree none = ParamTree.of(Map.of());
            NDArray x = m.ones(new Shape(200, 100));
            assertSame(x, dropout.forward(ForwardContext.eval(none, m), x));
            NDArray a = dropout.forward(ForwardContext.of(none, m, true, 7), x);
            NDArray b = dropout.forward(ForwardContext.of(none, m, true, 7), x);
            NDArray c = dropout.forward(ForwardContext.of(none, m, true, 8), x);
            float dropped =
                    a.eq(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mean().getFloat();
            assertEquals(0.25, dropped, 0.02, "fraction dropped");
            assertEquals(
                    1 / 0.75f, a.max().getFloat(), 1e-6, "kept values are scaled by 1/(1-rate)");
            assertTrue(a.contentEquals(b), "same seed, same mask");
            assertTrue(!a.contentEquals(c), "another seed, another mask");
        }
        assertThrows(ConfigException.class, () -> Dropout.config().rate(1.0).instantiate());
    }

    @Test
    void stochasticDepth_dropsWholeExamples() {
        StochasticDepth drop = StochasticDepth.config().rate(0.5).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ParamTree none = ParamTree.of(Map.of());
            NDArray x = m.ones(new Shape(400, 3, 5));
            assertSame(x, drop.forward(ForwardContext.eval(none, m), x));
            NDArray y = drop.forward(ForwardContext.of(none, m, true, 3), x);
            NDArray perExample = y.reshape(400, -1).max(new int[] {1});
            NDArray minPerExample = y.reshape(400, -1).min(new int[] {1});
            assertTrue(
                    perExample.eq(minPerExample).all().getBoolean(),
                    "each example is all kept or all dropped");
            float kept =
                    perExample
                            .gt(0f)
                            .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                            .mean()
                            .getFloat();
            assertEquals(0.5, kept, 0.08);
            assertEquals(2f, y.max().getFloat(), 1e-6);
        }
    }
}

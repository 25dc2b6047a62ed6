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

/** Dropout: identity in evaluation, seeded masks with the right statistics in training. */
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
    void dropout_rateZeroIsIdentityInTraining() {
        Dropout dropout = Dropout.config().rate(0).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            NDArray x = m.ones(new Shape(4, 3));
            assertSame(
                    x, dropout.forward(ForwardContext.of(ParamTree.of(Map.of()), m, true, 7), x));
        }
    }

    @Test
    void dropout_configRejectsRatesOutsideZeroToOne() {
        ConfigException one =
                assertThrows(
                        ConfigException.class,
                        () -> Dropout.config().rate(1.0).instantiateAt("layer.dropout"));
        assertEquals(
                "layer.dropout.rate must be in [0, 1), got 1.0 (Dropout.Config)", one.getMessage());
        ConfigException negative =
                assertThrows(
                        ConfigException.class,
                        () -> Dropout.config().rate(-0.1).instantiateAt("dropout"));
        assertEquals(
                "dropout.rate must be in [0, 1), got -0.1 (Dropout.Config)", negative.getMessage());
    }
}

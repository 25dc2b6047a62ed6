package io.axlearn.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stochastic depth: whole examples dropped in training, seeded, identity in evaluation. */
class StochasticDepthTest {
    private static final ParamTree NONE = ParamTree.of(Map.of());

    @Test
    void training_dropsWholeExamplesAtTheRateAndRescalesTheRest() {
        StochasticDepth drop = StochasticDepth.config().rate(0.25).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            NDArray x = m.randomUniform(1f, 2f, new Shape(800, 3, 5));
            NDArray y = drop.forward(ForwardContext.of(NONE, m, true, 3), x);
            NDArray ratio = y.div(x).reshape(800, -1);
            NDArray perExample = ratio.max(new int[] {1});
            assertTrue(
                    perExample.sub(ratio.min(new int[] {1})).abs().lt(1e-6f).all().getBoolean(),
                    "each example is all kept or all dropped");
            NDArray kept = perExample.gt(0.5f);
            assertTrue(
                    perExample.get(kept).sub(1 / 0.75f).abs().lt(1e-5f).all().getBoolean(),
                    "kept examples are scaled by 1/(1-rate)");
            float droppedFraction = 1 - kept.toType(DataType.FLOAT32, false).mean().getFloat();
            // Binomial(800, 0.25): standard deviation 0.015; 0.05 is more than 3 of them.
            assertEquals(0.25, droppedFraction, 0.05, "fraction of examples dropped");
        }
    }

    @Test
    void mask_dependsOnlyOnTheSeed() {
        StochasticDepth drop = StochasticDepth.config().rate(0.5).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            NDArray x = m.ones(new Shape(64, 2, 2));
            NDArray a = drop.forward(ForwardContext.of(NONE, m, true, 11), x);
            NDArray b = drop.forward(ForwardContext.of(NONE, m, true, 11), x);
            NDArray c = drop.forward(ForwardContext.of(NONE, m, true, 12), x);
            assertTrue(a.contentEquals(b), "same seed, same mask");
            assertFalse(a.contentEquals(c), "another seed, another mask");
        }
    }

    @Test
    void evaluationAndRateZero_areTheIdentity() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray x = m.ones(new Shape(4, 3));
            StochasticDepth half = StochasticDepth.config().rate(0.5).instantiate();
            assertSame(x, half.forward(ForwardContext.eval(NONE, m), x));
            StochasticDepth zero = StochasticDepth.config().instantiate();
            assertSame(x, zero.forward(ForwardContext.of(NONE, m, true, 1), x));
        }
    }

    @Test
    void config_rejectsRatesOutsideZeroToOne() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> StochasticDepth.config().rate(1.0).instantiateAt("block.dropPath"));
        assertEquals(
                "block.dropPath.rate must be in [0, 1), got 1.0 (StochasticDepth.Config)",
                e.getMessage());
    }
}

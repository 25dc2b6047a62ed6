package io.axlearn.core.attention;

import static io.axlearn.core.testing.TorchGolden.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {

    /** {@code q . k} after rotating q to position {@code p} and k to position {@code s}. */
    private static float score(
            RotaryEmbedding rotary, ForwardContext ctx, NDArray q, NDArray k, long p, long s) {
        return rotary.rotate(ctx, q, p).mul(rotary.rotate(ctx, k, s)).sum().getFloat();
    }

    @Test
    void scoresDependOnlyOnRelativePosition_andThetaMatters() {
        RotaryEmbedding rotary = RotaryEmbedding.config().dim(8).instantiate();
        RotaryEmbedding slow = RotaryEmbedding.config().dim(8).theta(500_000).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            ForwardContext ctx = ForwardContext.eval(ParamTree.of(Map.of()), m);
            NDArray q = m.randomNormal(new Shape(1, 1, 1, 8));
            NDArray k = m.randomNormal(new Shape(1, 1, 1, 8));
            float near = score(rotary, ctx, q, k, 3, 1);
            float far = score(rotary, ctx, q, k, 103, 101);
            assertAllClose(m.create(near), m.create(far), 1e-4, 1e-4, "shifted by 100");
            assertFalse(
                    Math.abs(near - score(rotary, ctx, q, k, 3, 0)) < 1e-4,
                    "a different distance changes the score");
            assertFalse(
                    Math.abs(near - score(slow, ctx, q, k, 3, 1)) < 1e-6, "theta changes it too");
            assertAllClose(
                    q, rotary.rotate(ctx, q, 0), 0, 0, "position 0 is the identity rotation");
        }
    }

    @Test
    void config_rejectsOddDimAndSmallTheta() {
        ConfigException odd =
                assertThrows(
                        ConfigException.class,
                        () -> RotaryEmbedding.config().dim(5).instantiateAt("rotary"));
        assertEquals(
                "rotary.dim must be even (rotated halves), got 5 (RotaryEmbedding.Config)",
                odd.getMessage());
        ConfigException theta =
                assertThrows(
                        ConfigException.class,
                        () -> RotaryEmbedding.config().dim(4).theta(1).instantiateAt("rotary"));
        assertEquals(
                "rotary.theta must be greater than 1, got 1.0 (RotaryEmbedding.Config)",
                theta.getMessage());
    }
}

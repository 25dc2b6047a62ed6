package io.axlearn.core.attention;

import static io.axlearn.core.testing.TorchGolden.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.module.Constants;
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

    /** The rotation of {@code x [1, 1, L, H]} at positions {@code offset..}, in double. */
    private static float[] direct(float[] x, int length, int dim, long offset, double theta) {
        float[] out = new float[x.length];
        int half = dim / 2;
        for (int p = 0; p < length; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (offset + p) * Math.pow(theta, -2.0 * i / dim);
                double a = x[p * dim + i];
                double b = x[p * dim + i + half];
                out[p * dim + i] = (float) (a * Math.cos(angle) - b * Math.sin(angle));
                out[p * dim + i + half] = (float) (b * Math.cos(angle) + a * Math.sin(angle));
            }
        }
        return out;
    }

    @Test
    void windowsOfTheSharedTables_matchTheFormula_atAnyOffsetAndLength() {
        RotaryEmbedding rotary = RotaryEmbedding.config().dim(8).instantiate();
        try (NDManager m = TorchGolden.manager()) {
            Constants constants = Constants.forPass(m);
            ForwardContext ctx = ForwardContext.of(ParamTree.of(Map.of()), m, false, 0, constants);
            // 64 rows exactly (the whole smallest table), a shorter window, a window past 64
            // (the 128-row table) and one decoding step far out (the 512-row table).
            long[][] windows = {{0, 64}, {0, 37}, {70, 3}, {300, 1}};
            for (long[] w : windows) {
                int length = (int) w[1];
                NDArray x = m.randomNormal(new Shape(1, 1, length, 8));
                float[] expected = direct(x.toFloatArray(), length, 8, w[0], 10000);
                assertAllClose(
                        m.create(expected, x.getShape()),
                        rotary.rotate(ctx, x, w[0]),
                        1e-5,
                        1e-5,
                        "offset " + w[0] + ", length " + length);
            }
            // cos and sin of 64, 128 and 512 rows, each built once.
            assertEquals(6, constants.size());
            assertEquals(64, RotaryEmbedding.tableLength(1));
            assertEquals(128, RotaryEmbedding.tableLength(65));
            assertEquals(128, RotaryEmbedding.tableLength(128));
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

package io.axlearn.core.learner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.core.testing.TorchGolden;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalNormClippingTest {

    @Test
    void aboveMaxNorm_scalesEveryGradientByTheSameFactor() {
        try (NDManager m = TorchGolden.manager()) {
            // Global norm sqrt(9 + 16 + 144) = 13.
            NDArray a = m.create(new float[] {3, 4});
            NDArray b = m.create(new float[] {12});
            int live = LeakCheck.liveArrays(m);
            double norm = GlobalNormClipping.config(1.3).eps(0).instantiate().clip(List.of(a, b));
            assertEquals(13.0, norm, 1e-6);
            assertArrayEquals(new float[] {0.3f, 0.4f}, a.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1.2f}, b.toFloatArray(), 1e-6f);
            assertEquals(live, LeakCheck.liveArrays(m), "temporaries left on the manager");
        }
    }

    @Test
    void belowMaxNormOrOff_leavesGradientsAlone() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray a = m.create(new float[] {3, 4});
            assertEquals(5.0, GlobalNormClipping.config(10.0).instantiate().clip(List.of(a)), 1e-6);
            assertEquals(5.0, GlobalNormClipping.config(null).instantiate().clip(List.of(a)), 1e-6);
            assertArrayEquals(new float[] {3, 4}, a.toFloatArray());
            assertEquals(0.0, GlobalNormClipping.config(1.0).instantiate().clip(List.of()));
        }
    }

    /**
     * Two shards (a sharded optimiser's ranks), each adding the other's sum of squares: both get
     * the global norm and the global clipping scale, and a shard holding no gradient still does.
     */
    @Test
    void shards_useTheGlobalNormAndScale() {
        try (NDManager m = TorchGolden.manager()) {
            GlobalNormClipping clipping = GlobalNormClipping.config(1.3).eps(0).instantiate();
            NDArray a = m.create(new float[] {3, 4});
            NDArray b = m.create(new float[] {12});
            int live = LeakCheck.liveArrays(m);
            NDArray normA =
                    clipping.clipOnEngine(List.of(a), m, s -> s.add(144f)); // b's sum of squares
            NDArray normB = clipping.clipOnEngine(List.of(b), m, s -> s.add(25f));
            NDArray normNone = clipping.clipOnEngine(List.of(), m, s -> s.add(169f));
            assertEquals(13f, normA.getFloat(), 1e-5f);
            assertEquals(13f, normB.getFloat(), 1e-5f);
            assertEquals(13f, normNone.getFloat(), 1e-5f);
            assertArrayEquals(new float[] {0.3f, 0.4f}, a.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1.2f}, b.toFloatArray(), 1e-6f);
            assertEquals(live + 3, LeakCheck.liveArrays(m), "only the three norms are left");
        }
    }

    @Test
    void nonPositiveMaxNorm_isRejectedWithItsPath() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> GlobalNormClipping.config(0.0).instantiateAt("learner.clipping"));
        assertEquals(
                "learner.clipping.maxNorm must be positive or null (off), got 0.0"
                        + " (GlobalNormClipping.Config)",
                e.getMessage());
    }
}

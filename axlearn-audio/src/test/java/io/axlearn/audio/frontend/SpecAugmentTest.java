package io.axlearn.audio.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.testing.TorchGolden;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecAugmentTest {

    @Test
    void masksBandsAndSpansInTraining_sameSeedSameMasks_evalUnchanged() {
        try (NDManager m = TorchGolden.manager()) {
            SpecAugment aug = SpecAugment.config().maxFreqWidth(5).maxTimeWidth(10).instantiate();
            NDArray x = m.ones(new Shape(2, 50, 20));
            NDArray lengths = m.create(new long[] {50, 30});
            ParamTree none = ParamTree.of(Map.of());
            float[] a = aug.forward(ForwardContext.of(none, m, true, 3), x, lengths).toFloatArray();
            float[] b = aug.forward(ForwardContext.of(none, m, true, 3), x, lengths).toFloatArray();
            float[] c = aug.forward(ForwardContext.of(none, m, true, 4), x, lengths).toFloatArray();
            assertArrayEquals(a, b);
            assertFalse(Arrays.equals(a, c));
            long zeros = 0;
            for (float v : a) {
                assertTrue(v == 0f || v == 1f);
                zeros += v == 0f ? 1 : 0;
            }
            // At most 2 bands of 5 bins over 50 frames, 2 spans of 10 (6 for 30 frames) over 20
            // bins.
            assertTrue(zeros > 0 && zeros <= 2 * (2 * 5 * 50 + 2 * 10 * 20), "zeros " + zeros);
            assertSame(x, aug.forward(ForwardContext.of(none, m, false, 3), x, lengths));
            assertEquals(2000, a.length);
        }
    }
}

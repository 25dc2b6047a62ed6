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

    @Test
    void frequencyWarp_stretchesEachExamplesMelAxisByOneFactorWithinTheRange() {
        try (NDManager m = TorchGolden.manager()) {
            SpecAugment aug =
                    SpecAugment.config()
                            .numFreqMasks(0)
                            .numTimeMasks(0)
                            .maxFrequencyWarp(0.2)
                            .instantiate();
            int batch = 4;
            int frames = 3;
            int bins = 40;
            float[] ramp = new float[batch * frames * bins];
            for (int i = 0; i < ramp.length; i++) {
                ramp[i] = i % bins; // feature value = its bin index
            }
            NDArray x = m.create(ramp, new Shape(batch, frames, bins));
            float[] y =
                    aug.forward(
                                    ForwardContext.of(ParamTree.of(Map.of()), m, true, 7),
                                    x,
                                    m.create(new long[] {3, 3, 3, 3}))
                            .toFloatArray();
            java.util.Set<Long> factors = new java.util.HashSet<>();
            for (int b = 0; b < batch; b++) {
                // Bin 10 reads position 10 / factor, so y = 10 / factor.
                double factor = 10 / y[b * frames * bins + 10];
                assertTrue(factor >= 0.8 - 1e-4 && factor <= 1.2 + 1e-4, "factor " + factor);
                factors.add(Math.round(factor * 1e4));
                for (int t = 0; t < frames; t++) {
                    for (int k = 0; k < bins; k++) {
                        double source = k / factor;
                        double expected = source <= bins - 1 ? source : 0;
                        float got = y[(b * frames + t) * bins + k];
                        if (source > bins - 1 && source < bins) {
                            continue; // the last interval blends towards the zero past the end
                        }
                        assertEquals(expected, got, 1e-3, "example " + b + " bin " + k);
                    }
                }
            }
            assertEquals(batch, factors.size(), "each example draws its own factor");
        }
    }

    @Test
    void bandLimit_zeroesEveryBinFromACutoffInTheAllowedRange() {
        try (NDManager m = TorchGolden.manager()) {
            SpecAugment aug =
                    SpecAugment.config()
                            .numFreqMasks(0)
                            .numTimeMasks(0)
                            .bandLimitProbability(1)
                            .minBandLimitFraction(0.5)
                            .instantiate();
            int batch = 8;
            int frames = 5;
            int bins = 20;
            float[] y =
                    aug.forward(
                                    ForwardContext.of(ParamTree.of(Map.of()), m, true, 11),
                                    m.ones(new Shape(batch, frames, bins)),
                                    m.create(new long[] {5, 5, 5, 5, 5, 5, 5, 5}))
                            .toFloatArray();
            java.util.Set<Integer> cutoffs = new java.util.HashSet<>();
            for (int b = 0; b < batch; b++) {
                int cutoff = bins;
                while (cutoff > 0 && y[b * frames * bins + cutoff - 1] == 0f) {
                    cutoff--;
                }
                assertTrue(cutoff >= 10 && cutoff < bins, "cutoff " + cutoff);
                cutoffs.add(cutoff);
                for (int t = 0; t < frames; t++) {
                    for (int k = 0; k < bins; k++) {
                        assertEquals(k < cutoff ? 1f : 0f, y[(b * frames + t) * bins + k]);
                    }
                }
            }
            assertTrue(cutoffs.size() > 1, "cutoffs vary: " + cutoffs);
        }
    }
}

package io.axlearn.audio.asr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CtcDecodingTest {

    static float[][] log(double[][] p) {
        float[][] out = new float[p.length][];
        for (int t = 0; t < p.length; t++) {
            out[t] = new float[p[t].length];
            for (int v = 0; v < p[t].length; v++) {
                out[t][v] = (float) Math.log(p[t][v]);
            }
        }
        return out;
    }

    @Test
    void greedyMergesRepeatsAndDropsBlanks_andStopsAtTheLength() {
        float[][] lp =
                log(
                        new double[][] {
                            {0.1, 0.8, 0.1},
                            {0.1, 0.8, 0.1},
                            {0.8, 0.1, 0.1},
                            {0.1, 0.8, 0.1},
                            {0.1, 0.1, 0.8},
                            {0.1, 0.1, 0.8}
                        });
        assertArrayEquals(new int[] {1, 1, 2}, CtcDecoding.greedy(lp, 6));
        assertArrayEquals(new int[] {1}, CtcDecoding.greedy(lp, 3));
        assertArrayEquals(new int[] {1, 1, 2}, CtcDecoding.prefixBeamSearch(lp, 6, 4));
    }

    @Test
    void beamSearchSumsAlignmentsWhereGreedyFollowsOnePath() {
        // Best path is blank,blank (empty), but "1" has more total probability: 1-1, 1-b, b-1.
        float[][] lp = log(new double[][] {{0.4, 0.35, 0.25}, {0.4, 0.35, 0.25}});
        assertArrayEquals(new int[] {}, CtcDecoding.greedy(lp, 2));
        assertArrayEquals(new int[] {1}, CtcDecoding.prefixBeamSearch(lp, 2, 8));
    }

    @Test
    void errorRatesCountEdits() {
        assertEquals(1, ErrorRates.wordErrors("4 0 7", "4 1 7"));
        assertEquals(2, ErrorRates.wordErrors("4 7", "4 0 7 7"));
        assertEquals(3, ErrorRates.characterErrors("kitten", "sitting"));
        assertEquals(0, ErrorRates.wordErrors(" a  b ", "a b"));
        assertEquals(3, ErrorRates.wordCount("a b c"));
        assertEquals(2, ErrorRates.wordErrors("", "a b"));
    }
}

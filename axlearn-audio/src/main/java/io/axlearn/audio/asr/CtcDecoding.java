package io.axlearn.audio.asr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes CTC outputs (blank id 0) to label sequences: greedy (best id per frame, repeats merged,
 * blanks dropped) and prefix beam search (<a href="https://arxiv.org/abs/1408.2873">Hannun et al.
 * 2014</a>, without a language model), which sums the probabilities of all alignments of a prefix
 * instead of following the single best path.
 */
public final class CtcDecoding {
    private CtcDecoding() {}

    /**
     * The greedy decoding of one example.
     *
     * @param logProbs {@code [T][V]} log probabilities
     * @param length real frames
     */
    public static int[] greedy(float[][] logProbs, int length) {
        List<Integer> out = new ArrayList<>();
        int previous = 0;
        for (int t = 0; t < length; t++) {
            int best = argmax(logProbs[t]);
            if (best != 0 && best != previous) {
                out.add(best);
            }
            previous = best;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The most probable label sequence found by prefix beam search.
     *
     * @param logProbs {@code [T][V]} log probabilities
     * @param length real frames
     * @param beamSize prefixes kept per frame
     */
    public static int[] prefixBeamSearch(float[][] logProbs, int length, int beamSize) {
        // A prefix's log probability split by whether its alignments end in a blank or not.
        Map<List<Integer>, double[]> beams = new HashMap<>();
        beams.put(List.of(), new double[] {0.0, Double.NEGATIVE_INFINITY});
        for (int t = 0; t < length; t++) {
            float[] p = logProbs[t];
            Map<List<Integer>, double[]> next = new HashMap<>();
            for (Map.Entry<List<Integer>, double[]> e : beams.entrySet()) {
                List<Integer> prefix = e.getKey();
                double blank = e.getValue()[0];
                double label = e.getValue()[1];
                double total = logAdd(blank, label);
                int end = prefix.isEmpty() ? -1 : prefix.get(prefix.size() - 1);
                double[] same = next.computeIfAbsent(prefix, k -> newScore());
                same[0] = logAdd(same[0], total + p[0]);
                if (end > 0) {
                    same[1] = logAdd(same[1], label + p[end]);
                }
                for (int v = 1; v < p.length; v++) {
                    List<Integer> extended = new ArrayList<>(prefix);
                    extended.add(v);
                    double[] s = next.computeIfAbsent(List.copyOf(extended), k -> newScore());
                    // A repeat of the last label needs a blank between the two.
                    s[1] = logAdd(s[1], (v == end ? blank : total) + p[v]);
                }
            }
            beams = prune(next, beamSize);
        }
        List<Integer> best = List.of();
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<List<Integer>, double[]> e : beams.entrySet()) {
            double s = logAdd(e.getValue()[0], e.getValue()[1]);
            if (s > bestScore) {
                bestScore = s;
                best = e.getKey();
            }
        }
        return best.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double[] newScore() {
        return new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    }

    private static Map<List<Integer>, double[]> prune(
            Map<List<Integer>, double[]> beams, int size) {
        List<Map.Entry<List<Integer>, double[]>> entries = new ArrayList<>(beams.entrySet());
        entries.sort(
                (a, b) ->
                        Double.compare(
                                logAdd(b.getValue()[0], b.getValue()[1]),
                                logAdd(a.getValue()[0], a.getValue()[1])));
        Map<List<Integer>, double[]> kept = new HashMap<>();
        for (int i = 0; i < Math.min(size, entries.size()); i++) {
            kept.put(entries.get(i).getKey(), entries.get(i).getValue());
        }
        return kept;
    }

    private static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        double max = Math.max(a, b);
        return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}

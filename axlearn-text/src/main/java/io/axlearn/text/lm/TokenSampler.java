package io.axlearn.text.lm;

import io.axlearn.core.module.TextGenerator.Sampling;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * Chooses the next token from one position's logits: greedy ({@code temperature 0}), or a draw from
 * the softmax of {@code logits / temperature} restricted to the {@code topK} most likely tokens and
 * then to the nucleus of probability {@code topP}. The draws come from one stream seeded by {@link
 * Sampling#seed()}, so a sampler gives the same tokens for the same logits.
 */
final class TokenSampler {
    private final Sampling sampling;
    private final SplittableRandom random;

    TokenSampler(Sampling sampling) {
        this.sampling = sampling;
        this.random = new SplittableRandom(sampling.seed());
    }

    /** The next token id for {@code logits [vocabSize]}. */
    int next(float[] logits) {
        if (sampling.temperature() == 0) {
            return argMax(logits);
        }
        // Token ids by descending logit; ties keep the lower id first.
        Integer[] order = new Integer[logits.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -logits[i]));
        int kept = sampling.topK() == 0 ? logits.length : Math.min(sampling.topK(), logits.length);
        double[] probs = new double[kept];
        double max = logits[order[0]];
        double sum = 0;
        for (int r = 0; r < kept; r++) {
            probs[r] = Math.exp((logits[order[r]] - max) / sampling.temperature());
            sum += probs[r];
        }
        double cumulative = 0;
        int nucleus = 0;
        while (nucleus < kept && cumulative < sampling.topP() * sum) {
            cumulative += probs[nucleus++];
        }
        double u = random.nextDouble() * cumulative;
        double acc = 0;
        for (int r = 0; r < nucleus; r++) {
            acc += probs[r];
            if (u < acc) {
                return order[r];
            }
        }
        return order[nucleus - 1];
    }

    private static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}

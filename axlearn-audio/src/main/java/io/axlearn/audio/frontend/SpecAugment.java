package io.axlearn.audio.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;
import java.util.SplittableRandom;

/**
 * SpecAugment's frequency and time masks (<a href="https://arxiv.org/abs/1904.08779">Park et al.
 * 2019</a>), training only: each example gets {@code numFreqMasks} bands of up to {@code
 * maxFreqWidth} mel bins and {@code numTimeMasks} spans of up to {@code maxTimeWidth} frames (and
 * at most {@code maxTimeFraction} of its real frames) set to zero. Two optional augmentations
 * against a change of voice or channel come before the masks, both off by default: a <em>frequency
 * warp</em> stretches or squeezes each example's mel axis by a factor drawn from {@code [1 -
 * maxFrequencyWarp, 1 + maxFrequencyWarp]} (output bin {@code k} reads input position {@code k /
 * factor}, linearly interpolated; a linear warp of the mel index, in the spirit of vocal tract
 * length perturbation, <a href="https://www.cs.toronto.edu/~ndjaitly/jaitly_vtlp.pdf">Jaitly and
 * Hinton 2013</a>), and a <em>band limit</em> that, with probability {@code bandLimitProbability},
 * zeroes every bin from a cutoff drawn in {@code [minBandLimitFraction * F, F)} up, as audio
 * recorded at a lower sample rate (8 kHz telephone speech, for instance) has nothing there.
 * Positions and widths are drawn from the pass's seed for this layer ({@link
 * ForwardContext#seed()}), so a step's masks are the same when the step is rerun and differ from
 * step to step. In evaluation the features pass unchanged. No parameters; apply it to normalised
 * features, where zero is the mean.
 */
public final class SpecAugment extends BaseLayer {

    /** Config of {@link SpecAugment}. */
    public static final class Config extends BaseLayer.Config<Config, SpecAugment> {
        /** Frequency masks per example. */
        private int numFreqMasks = 2;

        /** Largest frequency mask in bins (the width is uniform in {@code [0, max]}). */
        private int maxFreqWidth = 27;

        /** Time masks per example. */
        private int numTimeMasks = 2;

        /** Largest time mask in frames. */
        private int maxTimeWidth = 40;

        /** Largest time mask as a fraction of the example's real frames. */
        private double maxTimeFraction = 0.2;

        /** Largest relative stretch of the mel axis; 0 (the default) turns the warp off. */
        private double maxFrequencyWarp = 0;

        /** Probability that an example is band-limited; 0 (the default) turns it off. */
        private double bandLimitProbability = 0;

        /** Lowest band-limit cutoff as a fraction of the bins. */
        private double minBandLimitFraction = 0.6;

        /** Sets the number of frequency masks. */
        public Config numFreqMasks(int v) {
            return set(() -> numFreqMasks = v);
        }

        /** Sets the largest frequency mask. */
        public Config maxFreqWidth(int v) {
            return set(() -> maxFreqWidth = v);
        }

        /** Sets the number of time masks. */
        public Config numTimeMasks(int v) {
            return set(() -> numTimeMasks = v);
        }

        /** Sets the largest time mask in frames. */
        public Config maxTimeWidth(int v) {
            return set(() -> maxTimeWidth = v);
        }

        /** Sets the largest time mask as a fraction of the real frames. */
        public Config maxTimeFraction(double v) {
            return set(() -> maxTimeFraction = v);
        }

        /** Sets the largest frequency warp. */
        public Config maxFrequencyWarp(double v) {
            return set(() -> maxFrequencyWarp = v);
        }

        /** Sets the band-limit probability. */
        public Config bandLimitProbability(double v) {
            return set(() -> bandLimitProbability = v);
        }

        /** Sets the lowest band-limit cutoff fraction. */
        public Config minBandLimitFraction(double v) {
            return set(() -> minBandLimitFraction = v);
        }

        @Override
        protected void validate() {
            if (numFreqMasks < 0 || numTimeMasks < 0 || maxFreqWidth < 0 || maxTimeWidth < 0) {
                throw invalid("numFreqMasks", "mask counts and widths must not be negative");
            }
            if (maxTimeFraction < 0 || maxTimeFraction > 1) {
                throw invalid("maxTimeFraction", "must be in [0, 1], got " + maxTimeFraction);
            }
            if (maxFrequencyWarp < 0 || maxFrequencyWarp >= 1) {
                throw invalid("maxFrequencyWarp", "must be in [0, 1), got " + maxFrequencyWarp);
            }
            if (bandLimitProbability < 0 || bandLimitProbability > 1) {
                throw invalid(
                        "bandLimitProbability", "must be in [0, 1], got " + bandLimitProbability);
            }
            if (minBandLimitFraction <= 0 || minBandLimitFraction > 1) {
                throw invalid(
                        "minBandLimitFraction", "must be in (0, 1], got " + minBandLimitFraction);
            }
        }

        @Override
        protected SpecAugment create() {
            return new SpecAugment(this);
        }
    }

    /** A new config with the paper's LibriSpeech-basic-like defaults. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private SpecAugment(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /**
     * The masked features.
     *
     * @param features {@code [B, T, F]}
     * @param lengths {@code [B]} real frames
     */
    public NDArray forward(ForwardContext ctx, NDArray features, NDArray lengths) {
        if (!ctx.training()) {
            return features;
        }
        Shape s = features.getShape();
        int batch = (int) s.get(0);
        int frames = (int) s.get(1);
        int bins = (int) s.get(2);
        long[] len = lengths.toType(DataType.INT64, false).toLongArray();
        SplittableRandom random = new SplittableRandom(ctx.seed());
        NDArray x = cfg.maxFrequencyWarp > 0 ? warp(ctx, features, random) : features;
        float[] keep = masks(random, batch, frames, bins, len);
        return x.mul(ctx.manager().create(keep, s));
    }

    /**
     * Each example's mel axis stretched by its own factor: output bin {@code k} is the input
     * interpolated at {@code k / factor}, zero (the mean) past the last bin.
     */
    private NDArray warp(ForwardContext ctx, NDArray features, SplittableRandom random) {
        Shape s = features.getShape();
        int batch = (int) s.get(0);
        int bins = (int) s.get(2);
        long[] low = new long[batch * bins];
        long[] high = new long[batch * bins];
        float[] lowWeight = new float[batch * bins];
        float[] highWeight = new float[batch * bins];
        for (int b = 0; b < batch; b++) {
            double factor = 1 + cfg.maxFrequencyWarp * (2 * random.nextDouble() - 1);
            for (int k = 0; k < bins; k++) {
                int at = b * bins + k;
                double source = k / factor;
                int below = (int) Math.floor(source);
                double frac = source - below;
                low[at] = Math.min(below, bins - 1);
                high[at] = Math.min(below + 1, bins - 1);
                lowWeight[at] = below <= bins - 1 ? (float) (1 - frac) : 0f;
                highWeight[at] = below + 1 <= bins - 1 ? (float) frac : 0f;
            }
        }
        NDManager m = ctx.manager();
        Shape table = new Shape(batch, 1, bins);
        NDArray lowIndex = m.create(low, table).broadcast(s);
        NDArray highIndex = m.create(high, table).broadcast(s);
        return features.gather(lowIndex, 2)
                .mul(m.create(lowWeight, table))
                .add(features.gather(highIndex, 2).mul(m.create(highWeight, table)));
    }

    /** {@code [B * T * F]} ones with the drawn bands and spans zero. */
    float[] masks(SplittableRandom random, int batch, int frames, int bins, long[] lengths) {
        float[] keep = new float[batch * frames * bins];
        java.util.Arrays.fill(keep, 1f);
        for (int b = 0; b < batch; b++) {
            int base = b * frames * bins;
            for (int i = 0; i < cfg.numFreqMasks; i++) {
                int width = random.nextInt(Math.min(cfg.maxFreqWidth, bins) + 1);
                int start = random.nextInt(bins - width + 1);
                for (int t = 0; t < frames; t++) {
                    java.util.Arrays.fill(
                            keep, base + t * bins + start, base + t * bins + start + width, 0f);
                }
            }
            if (cfg.bandLimitProbability > 0 && random.nextDouble() < cfg.bandLimitProbability) {
                int lowest = (int) Math.ceil(cfg.minBandLimitFraction * bins);
                int cutoff = lowest + random.nextInt(Math.max(1, bins - lowest));
                for (int t = 0; t < frames; t++) {
                    java.util.Arrays.fill(
                            keep, base + t * bins + cutoff, base + (t + 1) * bins, 0f);
                }
            }
            int real = (int) Math.min(frames, lengths[b]);
            int maxWidth = Math.min(cfg.maxTimeWidth, (int) (cfg.maxTimeFraction * real));
            for (int i = 0; i < cfg.numTimeMasks; i++) {
                int width = random.nextInt(maxWidth + 1);
                int start = random.nextInt(Math.max(1, real - width + 1));
                java.util.Arrays.fill(
                        keep,
                        base + start * bins,
                        base + Math.min(frames, start + width) * bins,
                        0f);
            }
        }
        return keep;
    }
}

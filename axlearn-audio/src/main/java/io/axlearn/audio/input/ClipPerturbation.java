package io.axlearn.audio.input;

import io.axlearn.core.config.InstantiableConfig;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Waveform perturbations that make synthetic training speech less uniform, applied once per clip
 * when a corpus is generated (each clip from its own seed, so a cache is reproducible). Each one is
 * off by default:
 *
 * <ul>
 *   <li><em>speed</em>: the clip is resampled as if it had been recorded at {@code rate * factor},
 *       {@code factor} uniform in {@code [1 - maxSpeedChange, 1 + maxSpeedChange]} (rounded to 1%),
 *       which changes tempo and pitch together, as Kaldi's speed perturbation does (<a
 *       href="https://www.danielpovey.com/files/2015_interspeech_augmentation.pdf">Ko et al.
 *       2015</a>);
 *   <li><em>telephone band</em>: with probability {@code telephoneProbability}, the clip goes down
 *       to 8 kHz and back (nothing left above 4 kHz) through 8-bit mu-law (G.711) quantisation;
 *   <li><em>leading silence</em>: zeros before the speech, uniform in {@code [0,
 *       maxLeadingSilenceSeconds]}, as a recording that starts before the talker does (synthesisers
 *       differ here: espeak-ng starts speaking within about 10 ms, flite after about 250 ms);
 *   <li><em>gain</em>: a level change uniform in {@code [-maxGainDb, +maxGainDb]} decibels;
 *   <li><em>noise</em>: with probability {@code noiseProbability}, white or pink noise (even odds)
 *       at a signal-to-noise ratio uniform in {@code [minSnrDb, maxSnrDb]} decibels, measured
 *       against the clip's RMS.
 * </ul>
 *
 * The result is clipped to {@code [-1, 1]}.
 */
public final class ClipPerturbation {

    /** Config of {@link ClipPerturbation}. */
    public static final class Config extends InstantiableConfig<Config, ClipPerturbation> {
        /** Largest relative speed change; 0 (the default) keeps the speed. */
        private double maxSpeedChange = 0;

        /** Probability that a clip is band-limited to the telephone band (8 kHz, mu-law). */
        private double telephoneProbability = 0;

        /** Longest silence put before the speech, in seconds. */
        private double maxLeadingSilenceSeconds = 0;

        /** Largest level change in decibels, either way. */
        private double maxGainDb = 0;

        /** Probability that noise is added to a clip. */
        private double noiseProbability = 0;

        /** Lowest signal-to-noise ratio in decibels. */
        private double minSnrDb = 10;

        /** Highest signal-to-noise ratio in decibels. */
        private double maxSnrDb = 30;

        /** Sets the largest relative speed change. */
        public Config maxSpeedChange(double v) {
            return set(() -> maxSpeedChange = v);
        }

        /** Sets the telephone-band probability. */
        public Config telephoneProbability(double v) {
            return set(() -> telephoneProbability = v);
        }

        /** Sets the longest leading silence in seconds. */
        public Config maxLeadingSilenceSeconds(double v) {
            return set(() -> maxLeadingSilenceSeconds = v);
        }

        /** Sets the largest level change in decibels. */
        public Config maxGainDb(double v) {
            return set(() -> maxGainDb = v);
        }

        /** Sets the noise probability. */
        public Config noiseProbability(double v) {
            return set(() -> noiseProbability = v);
        }

        /** Sets the lowest signal-to-noise ratio in decibels. */
        public Config minSnrDb(double v) {
            return set(() -> minSnrDb = v);
        }

        /** Sets the highest signal-to-noise ratio in decibels. */
        public Config maxSnrDb(double v) {
            return set(() -> maxSnrDb = v);
        }

        /** True when no perturbation is switched on. */
        public boolean isIdentity() {
            return maxSpeedChange == 0
                    && telephoneProbability == 0
                    && maxLeadingSilenceSeconds == 0
                    && maxGainDb == 0
                    && noiseProbability == 0;
        }

        @Override
        protected void validate() {
            if (maxSpeedChange < 0 || maxSpeedChange >= 0.5) {
                throw invalid("maxSpeedChange", "must be in [0, 0.5), got " + maxSpeedChange);
            }
            probability("telephoneProbability", telephoneProbability);
            probability("noiseProbability", noiseProbability);
            if (maxLeadingSilenceSeconds < 0) {
                throw invalid(
                        "maxLeadingSilenceSeconds",
                        "must not be negative, got " + maxLeadingSilenceSeconds);
            }
            if (maxGainDb < 0) {
                throw invalid("maxGainDb", "must not be negative, got " + maxGainDb);
            }
            if (minSnrDb > maxSnrDb) {
                throw invalid(
                        "minSnrDb",
                        "must not exceed maxSnrDb (" + minSnrDb + " > " + maxSnrDb + ")");
            }
        }

        private void probability(String field, double p) {
            if (p < 0 || p > 1) {
                throw invalid(field, "must be in [0, 1], got " + p);
            }
        }

        @Override
        protected ClipPerturbation create() {
            return new ClipPerturbation(this);
        }
    }

    /** A new config with every perturbation off. */
    public static Config config() {
        return new Config();
    }

    /** The telephone band's sample rate. */
    static final int TELEPHONE_RATE = 8000;

    private static final double MU = 255;

    private final Config cfg;

    private ClipPerturbation(Config cfg) {
        this.cfg = cfg;
    }

    /** The frozen config. */
    public Config getConfig() {
        return cfg;
    }

    /**
     * {@code samples} at {@code rate} Hz, perturbed as the config says with draws from {@code
     * seed}; the same arguments give the same result. The input is not changed.
     */
    public float[] apply(float[] samples, int rate, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] out = samples.clone();
        if (cfg.maxSpeedChange > 0) {
            double factor = 1 + cfg.maxSpeedChange * (2 * random.nextDouble() - 1);
            int percent = (int) Math.round(100 * factor);
            if (percent != 100) {
                // Read at rate * factor, play at rate; rates are whole multiples of rate / 100.
                out = Resampler.resample(out, rate / 100 * percent, rate / 100 * 100);
            }
        }
        if (random.nextDouble() < cfg.telephoneProbability && rate > TELEPHONE_RATE) {
            float[] narrow = Resampler.resample(out, rate, TELEPHONE_RATE);
            for (int i = 0; i < narrow.length; i++) {
                narrow[i] = muLawRoundTrip(narrow[i]);
            }
            float[] back = Resampler.resample(narrow, TELEPHONE_RATE, rate);
            out = Arrays.copyOf(back, out.length);
        }
        if (cfg.maxLeadingSilenceSeconds > 0) {
            int silence = (int) (cfg.maxLeadingSilenceSeconds * rate * random.nextDouble());
            float[] padded = new float[silence + out.length];
            System.arraycopy(out, 0, padded, silence, out.length);
            out = padded;
        }
        if (cfg.maxGainDb > 0) {
            double gain = decibels(cfg.maxGainDb * (2 * random.nextDouble() - 1));
            for (int i = 0; i < out.length; i++) {
                out[i] *= (float) gain;
            }
        }
        if (random.nextDouble() < cfg.noiseProbability) {
            double snrDb = cfg.minSnrDb + (cfg.maxSnrDb - cfg.minSnrDb) * random.nextDouble();
            double[] noise =
                    random.nextBoolean() ? white(out.length, random) : pink(out.length, random);
            double scale = rms(out) / Math.max(rms(noise), 1e-12) / decibels(snrDb);
            for (int i = 0; i < out.length; i++) {
                out[i] += (float) (scale * noise[i]);
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(-1f, Math.min(1f, out[i]));
        }
        return out;
    }

    /** Amplitude ratio of {@code db} decibels. */
    private static double decibels(double db) {
        return Math.pow(10, db / 20);
    }

    /** {@code x} in {@code [-1, 1]} through 8-bit mu-law and back (ITU-T G.711's curve). */
    static float muLawRoundTrip(float x) {
        double clipped = Math.max(-1, Math.min(1, x));
        double companded =
                Math.signum(clipped) * Math.log1p(MU * Math.abs(clipped)) / Math.log1p(MU);
        double quantised = Math.round(companded * 127) / 127.0;
        return (float)
                (Math.signum(quantised) * Math.expm1(Math.abs(quantised) * Math.log1p(MU)) / MU);
    }

    private static double[] white(int n, SplittableRandom random) {
        double[] noise = new double[n];
        for (int i = 0; i < n; i++) {
            noise[i] = random.nextGaussian();
        }
        return noise;
    }

    /**
     * Noise with a power spectrum falling about 3 dB per octave: white noise through a sum of
     * first-order low-pass filters with poles spread over the octaves (Paul Kellett's economy
     * method).
     */
    private static double[] pink(int n, SplittableRandom random) {
        double b0 = 0;
        double b1 = 0;
        double b2 = 0;
        double[] noise = new double[n];
        for (int i = 0; i < n; i++) {
            double w = random.nextGaussian();
            b0 = 0.99765 * b0 + w * 0.0990460;
            b1 = 0.96300 * b1 + w * 0.2965164;
            b2 = 0.57000 * b2 + w * 1.0526913;
            noise[i] = b0 + b1 + b2 + w * 0.1848;
        }
        return noise;
    }

    private static double rms(float[] x) {
        double sum = 0;
        for (float v : x) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum / Math.max(1, x.length));
    }

    private static double rms(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v * v;
        }
        return Math.sqrt(sum / Math.max(1, x.length));
    }
}

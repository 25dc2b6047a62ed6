package io.axlearn.audio.input;

/**
 * Band-limited resampling by a windowed sinc (Hann window), the method and defaults of {@code
 * torchaudio.functional.resample} ({@code lowpass_filter_width=6}, {@code rolloff=0.99}), so a clip
 * resampled here matches one resampled there to float32 rounding.
 *
 * <p>The rates are reduced by their greatest common divisor to {@code orig / new}; each block of
 * {@code orig} input samples gives {@code new} output samples, output phase {@code i} being the
 * input convolved with its own kernel of {@code 2 * width + orig} taps. The output has {@code
 * ceil(length * new / orig)} samples.
 */
public final class Resampler {
    private static final int LOWPASS_FILTER_WIDTH = 6;
    private static final double ROLLOFF = 0.99;

    private final int orig;
    private final int next;
    private final int width;
    private final float[][] kernels;

    /**
     * A resampler from {@code fromRate} to {@code toRate} samples per second.
     *
     * @throws IllegalArgumentException if a rate is not positive
     */
    public Resampler(int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException(
                    "sample rates must be positive, got " + fromRate + " -> " + toRate);
        }
        int g = gcd(fromRate, toRate);
        orig = fromRate / g;
        next = toRate / g;
        double base = Math.min(orig, next) * ROLLOFF;
        width = (int) Math.ceil(LOWPASS_FILTER_WIDTH * orig / base);
        int taps = 2 * width + orig;
        kernels = new float[next][taps];
        float scale = (float) (base / orig);
        float fbase = (float) base;
        float pi = (float) Math.PI;
        for (int i = 0; i < next; i++) {
            for (int k = 0; k < taps; k++) {
                // torchaudio builds the kernel in the waveform's float32, in this order.
                float t = (-i) / (float) next + (k - width) / (float) orig;
                t *= fbase;
                t = Math.max(-LOWPASS_FILTER_WIDTH, Math.min(LOWPASS_FILTER_WIDTH, t));
                float window = (float) Math.cos(t * pi / LOWPASS_FILTER_WIDTH / 2);
                window *= window;
                t *= pi;
                float sinc = t == 0 ? 1f : (float) Math.sin(t) / t;
                kernels[i][k] = sinc * (window * scale);
            }
        }
    }

    /** {@code samples} at the new rate; the same array when the rates are equal. */
    public float[] apply(float[] samples) {
        if (orig == next) {
            return samples;
        }
        int length = samples.length;
        int outLength = (int) Math.ceil(next * (double) length / orig);
        float[] out = new float[outLength];
        int taps = kernels[0].length;
        for (int j = 0; j * next < outLength; j++) {
            int start = j * orig - width; // index into samples of tap 0 (left zero padding)
            for (int i = 0; i < next && j * next + i < outLength; i++) {
                float[] kernel = kernels[i];
                double acc = 0;
                int k0 = Math.max(0, -start);
                int k1 = Math.min(taps, length - start);
                for (int k = k0; k < k1; k++) {
                    acc += kernel[k] * samples[start + k];
                }
                out[j * next + i] = (float) acc;
            }
        }
        return out;
    }

    /** {@code samples} taken from {@code fromRate} to {@code toRate}. */
    public static float[] resample(float[] samples, int fromRate, int toRate) {
        return new Resampler(fromRate, toRate).apply(samples);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}

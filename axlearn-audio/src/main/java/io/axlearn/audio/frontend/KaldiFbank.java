package io.axlearn.audio.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.module.BaseLayer;
import io.axlearn.core.module.ForwardContext;

/**
 * Log mel filterbank features computed the way Kaldi's {@code compute-fbank-feats} and {@code
 * torchaudio.compliance.kaldi.fbank} compute them, with their defaults: 25 ms frames every 10 ms
 * that fit wholly in the clip ({@code snip_edges}), each frame's mean removed, pre-emphasis 0.97,
 * the Povey window ({@code hann^0.85}), zero padding to the next power of two, the power spectrum
 * by DJL's PyTorch {@code stft}, triangular mel filters between 20 Hz and Nyquist on Kaldi's mel
 * scale ({@code 1127 ln(1 + f / 700)}), then {@code log(max(energy, float32 eps))}. No dither, no
 * energy coefficient. Computed in float64 (in float32, quiet bins of an 80-bin bank are off by up
 * to 7e-4 relative, in torchaudio as here), returned in float32. Matches {@code kaldi.fbank} in
 * float64 to 1e-4 relative on real speech ({@code KaldiFbankTest}).
 *
 * <p>Input {@code [batch, samples]} waveforms in {@code [-1, 1)} (multiplied by {@code inputScale},
 * 32768 by default, to Kaldi's integer range) and their real lengths; output {@code [batch, frames,
 * numMelBins]} and each clip's real frame count {@code 1 + (length - frameSamples) / shiftSamples}
 * (0 below one frame). Frames past a clip's end hold padding; mask them with the frame counts. No
 * parameters.
 */
public final class KaldiFbank extends BaseLayer {

    /** The frame window functions of Kaldi. */
    public enum Window {
        /** Kaldi's default: the symmetric Hann window to the power 0.85. */
        POVEY,
        /** Symmetric Hamming window. */
        HAMMING,
        /** Symmetric Hann window. */
        HANNING,
        /** No window. */
        RECTANGULAR
    }

    /** Config of {@link KaldiFbank}. */
    public static final class Config extends BaseLayer.Config<Config, KaldiFbank> {
        /** Sample rate of the input in Hz. */
        private int sampleRate = 16000;

        /** Frame length in milliseconds. */
        private double frameLengthMs = 25.0;

        /** Frame shift in milliseconds. */
        private double frameShiftMs = 10.0;

        /** Number of mel bins (Kaldi's default 23; ASR models commonly use 80). */
        private int numMelBins = 23;

        /** Lowest filter edge in Hz. */
        private double lowFreq = 20.0;

        /** Highest filter edge in Hz; zero or negative is an offset from Nyquist. */
        private double highFreq = 0.0;

        /** Pre-emphasis coefficient in {@code [0, 1]}; 0 turns it off. */
        private double preemphasis = 0.97;

        /** Subtract each frame's mean before pre-emphasis. */
        private boolean removeDcOffset = true;

        /** Window applied to each frame. */
        private Window window = Window.POVEY;

        /** Zero-pad frames to the next power of two before the FFT. */
        private boolean roundToPowerOfTwo = true;

        /** Power spectrum (true) or magnitude (false). */
        private boolean usePower = true;

        /** Factor from the input's {@code [-1, 1)} range to Kaldi's 16-bit integer range. */
        private double inputScale = 32768.0;

        /** Sets the sample rate. */
        public Config sampleRate(int v) {
            return set(() -> sampleRate = v);
        }

        /** Sets the frame length in ms. */
        public Config frameLengthMs(double v) {
            return set(() -> frameLengthMs = v);
        }

        /** Sets the frame shift in ms. */
        public Config frameShiftMs(double v) {
            return set(() -> frameShiftMs = v);
        }

        /** Sets the number of mel bins. */
        public Config numMelBins(int v) {
            return set(() -> numMelBins = v);
        }

        /** Sets the lowest filter edge. */
        public Config lowFreq(double v) {
            return set(() -> lowFreq = v);
        }

        /** Sets the highest filter edge. */
        public Config highFreq(double v) {
            return set(() -> highFreq = v);
        }

        /** Sets the pre-emphasis coefficient. */
        public Config preemphasis(double v) {
            return set(() -> preemphasis = v);
        }

        /** Sets whether frame means are removed. */
        public Config removeDcOffset(boolean v) {
            return set(() -> removeDcOffset = v);
        }

        /** Sets the window. */
        public Config window(Window v) {
            return set(() -> window = v);
        }

        /** Sets whether frames are padded to a power of two. */
        public Config roundToPowerOfTwo(boolean v) {
            return set(() -> roundToPowerOfTwo = v);
        }

        /** Sets power (true) or magnitude (false) spectrum. */
        public Config usePower(boolean v) {
            return set(() -> usePower = v);
        }

        /** Sets the input scale. */
        public Config inputScale(double v) {
            return set(() -> inputScale = v);
        }

        /** Sample rate in Hz. */
        public int sampleRate() {
            return sampleRate;
        }

        /** Number of mel bins. */
        public int numMelBins() {
            return numMelBins;
        }

        /** Samples per frame. */
        public int frameSamples() {
            return (int) (sampleRate * frameLengthMs * 0.001);
        }

        /** Samples between frame starts. */
        public int shiftSamples() {
            return (int) (sampleRate * frameShiftMs * 0.001);
        }

        @Override
        protected void validate() {
            if (sampleRate <= 0) {
                throw invalid("sampleRate", "must be positive, got " + sampleRate);
            }
            if (frameSamples() < 2) {
                throw invalid("frameLengthMs", "gives " + frameSamples() + " samples, need >= 2");
            }
            if (shiftSamples() < 1) {
                throw invalid("frameShiftMs", "gives " + shiftSamples() + " samples, need >= 1");
            }
            if (fftSize(this) % 2 != 0) {
                throw invalid(
                        "frameLengthMs",
                        "gives an odd FFT size; set roundToPowerOfTwo or change it");
            }
            if (numMelBins <= 3) {
                throw invalid("numMelBins", "must be > 3, got " + numMelBins);
            }
            double nyquist = sampleRate / 2.0;
            double high = highFreq <= 0 ? highFreq + nyquist : highFreq;
            if (!(lowFreq >= 0
                    && lowFreq < nyquist
                    && high > 0
                    && high <= nyquist
                    && lowFreq < high)) {
                throw invalid(
                        "lowFreq",
                        "need 0 <= lowFreq < highFreq <= Nyquist "
                                + nyquist
                                + ", got "
                                + lowFreq
                                + " and "
                                + high);
            }
            if (preemphasis < 0 || preemphasis > 1) {
                throw invalid("preemphasis", "must be in [0, 1], got " + preemphasis);
            }
        }

        @Override
        protected KaldiFbank create() {
            return new KaldiFbank(this);
        }
    }

    /** A new config with Kaldi's defaults. */
    public static Config config() {
        return new Config();
    }

    /**
     * Features and their real lengths.
     *
     * @param features {@code [batch, frames, numMelBins]} log mel energies
     * @param lengths {@code [batch]} int64 real frame counts
     */
    public record Output(NDArray features, NDArray lengths) {}

    private static final float FLOAT_EPS = Math.ulp(1.0f);

    private final Config cfg;
    private final int frame;
    private final int shift;
    private final int fft;
    private final double[] window;
    private final double[] melBanks;

    private KaldiFbank(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        frame = cfg.frameSamples();
        shift = cfg.shiftSamples();
        fft = fftSize(cfg);
        window = window(cfg.window, frame);
        melBanks = melBanks(cfg, fft);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    private static int fftSize(Config cfg) {
        int n = cfg.frameSamples();
        return cfg.roundToPowerOfTwo ? Integer.highestOneBit(Math.max(1, n - 1)) << 1 : n;
    }

    /** Real frame counts of clips of {@code lengths} samples ({@code [batch]}, int64). */
    public NDArray frameCounts(NDArray lengths) {
        long[] len = lengths.toType(DataType.INT64, false).toLongArray();
        long[] counts = new long[len.length];
        for (int i = 0; i < len.length; i++) {
            counts[i] = len[i] < frame ? 0 : 1 + (len[i] - frame) / shift;
        }
        return lengths.getManager().create(counts);
    }

    /**
     * Log mel features of {@code waveforms}.
     *
     * @param waveforms {@code [batch, samples]} float in {@code [-1, 1)}
     * @param lengths {@code [batch]} (or {@code [batch, 1]}) real sample counts
     */
    public Output forward(ForwardContext ctx, NDArray waveforms, NDArray lengths) {
        NDManager m = ctx.manager();
        long batch = waveforms.getShape().get(0);
        long samples = waveforms.getShape().get(1);
        long frames = samples < frame ? 0 : 1 + (samples - frame) / shift;
        NDArray counts = frameCounts(lengths);
        if (frames == 0) {
            return new Output(m.zeros(new Shape(batch, 0, cfg.numMelBins)), counts);
        }
        NDArray x = frame(waveforms.toType(DataType.FLOAT64, false).mul(cfg.inputScale), frames);
        if (cfg.removeDcOffset) {
            x = x.sub(x.mean(new int[] {-1}, true));
        }
        if (cfg.preemphasis != 0) {
            NDArray previous =
                    x.get(new NDIndex("..., 0:1")).concat(x.get(new NDIndex("..., :-1")), -1);
            x = x.sub(previous.mul(cfg.preemphasis));
        }
        x = x.mul(m.create(window));
        if (fft > frame) {
            x = x.concat(m.zeros(new Shape(batch, frames, fft - frame), DataType.FLOAT64), -1);
        }
        NDArray spectrum = power(x.reshape(batch * frames, fft), m);
        int bins = fft / 2 + 1;
        NDArray banks = m.create(melBanks, new Shape(bins, cfg.numMelBins));
        NDArray mel =
                spectrum.matMul(banks).maximum(FLOAT_EPS).log().toType(DataType.FLOAT32, false);
        return new Output(mel.reshape(batch, frames, cfg.numMelBins), counts);
    }

    /**
     * {@code [batch, frames, frameSamples]} overlapping frames of {@code [batch, samples]}: the
     * waveform cut into blocks of {@code shift} samples, frame {@code f} the concatenation of
     * blocks {@code f, f+1, ...} trimmed to the frame length (no gather, only slices).
     */
    private NDArray frame(NDArray wave, long frames) {
        long batch = wave.getShape().get(0);
        long samples = wave.getShape().get(1);
        int blocksPerFrame = (frame + shift - 1) / shift;
        long blocks = frames + blocksPerFrame - 1;
        long needed = blocks * shift;
        NDArray w = wave;
        if (needed > samples) {
            w = w.concat(wave.getManager().zeros(new Shape(batch, needed - samples)), 1);
        } else if (needed < samples) {
            w = w.get(new NDIndex(":, :" + needed));
        }
        NDArray b = w.reshape(batch, blocks, shift);
        NDArray[] parts = new NDArray[blocksPerFrame];
        for (int k = 0; k < blocksPerFrame; k++) {
            parts[k] = b.get(new NDIndex(":, " + k + ":" + (k + frames)));
        }
        NDArray joined =
                parts.length == 1
                        ? parts[0]
                        : NDArrays.concat(new ai.djl.ndarray.NDList(parts), -1);
        return joined.get(new NDIndex("..., :" + frame));
    }

    /** {@code [n, fft / 2 + 1]} power (or magnitude) spectra of {@code [n, fft]} frames. */
    private NDArray power(NDArray frames, NDManager m) {
        NDArray ones = m.ones(new Shape(fft), DataType.FLOAT64);
        // One hop per frame: stft of an fft-long row with no centring is that row's rfft.
        NDArray s = frames.stft(fft, fft, false, ones, false, false); // [n, bins, 1, 2]
        NDArray re = s.get(new NDIndex("..., 0, 0"));
        NDArray im = s.get(new NDIndex("..., 0, 1"));
        NDArray p = re.square().add(im.square());
        return cfg.usePower ? p : p.sqrt();
    }

    static double[] window(Window type, int n) {
        double[] w = new double[n];
        double a = 2 * Math.PI / (n - 1);
        for (int i = 0; i < n; i++) {
            double hann = 0.5 - 0.5 * Math.cos(a * i);
            w[i] =
                    switch (type) {
                        case POVEY -> Math.pow(hann, 0.85);
                        case HANNING -> hann;
                        case HAMMING -> 0.54 - 0.46 * Math.cos(a * i);
                        case RECTANGULAR -> 1.0;
                    };
        }
        return w;
    }

    private static double mel(double hz) {
        return 1127.0 * Math.log(1.0 + hz / 700.0);
    }

    static double[] melBanks(Config cfg, int fft) {
        int bins = fft / 2 + 1;
        int mels = cfg.numMelBins;
        double nyquist = cfg.sampleRate / 2.0;
        double high = cfg.highFreq <= 0 ? cfg.highFreq + nyquist : cfg.highFreq;
        double lowMel = mel(cfg.lowFreq);
        double delta = (mel(high) - lowMel) / (mels + 1);
        double binWidth = cfg.sampleRate / (double) fft;
        double[] out = new double[bins * mels];
        for (int j = 0; j < mels; j++) {
            double left = lowMel + j * delta;
            double center = lowMel + (j + 1) * delta;
            double right = lowMel + (j + 2) * delta;
            for (int k = 0; k < fft / 2; k++) {
                double m = mel(binWidth * k);
                double up = (m - left) / (center - left);
                double down = (right - m) / (right - center);
                out[k * mels + j] = Math.max(0, Math.min(up, down));
            }
        }
        return out;
    }
}

package io.axlearn.audio.asr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.audio.frontend.KaldiFbank;
import io.axlearn.audio.frontend.SpecAugment;
import io.axlearn.audio.input.AudioFeatures;
import io.axlearn.audio.input.CharVocab;
import io.axlearn.audio.input.Resampler;
import io.axlearn.audio.input.WavFile;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Batch;
import io.axlearn.core.layers.Linear;
import io.axlearn.core.module.BaseModel;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.Transcriber;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A conformer CTC speech recogniser (axlearn's {@code ASRModel} with a CTC decoder): waveform,
 * Kaldi log-mel {@code frontend}, per-utterance mean and variance normalisation over the real
 * frames, {@code spec_augment} (training only), {@code subsampler} (4x), {@code numLayers} {@code
 * layer} blocks ({@code layer0}, ...), and a {@code head} projection to the {@link CharVocab}'s ids
 * (0 the CTC blank) trained with {@link CtcLoss}.
 *
 * <p>Reads the features of {@link AudioFeatures}; each batch is cropped to its longest clip. The
 * loss is torch's {@code ctc_loss(reduction="mean")}: per-label loss, weighted mean over the
 * examples; impossible examples (more labels than frames) count zero. In evaluation it also reports
 * {@code cer} and {@code wer} of the greedy (or, with {@code beamSize > 1}, prefix beam-search)
 * transcripts, weighted by the references' characters and words, so the evaler's combination is the
 * corpus error rate.
 */
public final class CtcModel extends BaseModel implements Transcriber {

    /** Config of {@link CtcModel}. */
    public static final class Config extends BaseModel.Config<Config, CtcModel> {
        /** Transcript characters; the head has {@code alphabet length + 1} outputs. */
        @Required private CharVocab.Config vocab;

        /** Model dimension. */
        @Required private Integer dim;

        /** Number of conformer blocks. */
        @Required private Integer numLayers;

        /** Feature front end; its {@code numMelBins} feed the subsampler. */
        private KaldiFbank.Config frontend = KaldiFbank.config().numMelBins(80);

        /** Masks on the normalised features in training; {@code null} for none. */
        private SpecAugment.Config specAugment = SpecAugment.config();

        /** 4x subsampling; the model writes its dims. */
        private ConvSubsampler.Config subsampler = ConvSubsampler.config();

        /** Template of every block; the model writes {@code inputDim}. */
        @Required private ConformerLayer.Config layer;

        /** Beam of the decoding behind the eval metrics and {@code transcribe}; 1 is greedy. */
        private int beamSize = 1;

        /** Sets the vocabulary (stored as a copy). */
        public Config vocab(CharVocab.Config v) {
            return set(() -> vocab = v.copy());
        }

        /** Sets the model dimension. */
        public Config dim(int v) {
            return set(() -> dim = v);
        }

        /** Sets the number of blocks. */
        public Config numLayers(int v) {
            return set(() -> numLayers = v);
        }

        /** Sets the front end (stored as a copy). */
        public Config frontend(KaldiFbank.Config v) {
            return set(() -> frontend = v.copy());
        }

        /** Sets SpecAugment ({@code null}: none; stored as a copy). */
        public Config specAugment(SpecAugment.Config v) {
            return set(() -> specAugment = v == null ? null : v.copy());
        }

        /** Sets the subsampler (stored as a copy). */
        public Config subsampler(ConvSubsampler.Config v) {
            return set(() -> subsampler = v.copy());
        }

        /** Sets the block template (stored as a copy). */
        public Config layer(ConformerLayer.Config v) {
            return set(() -> layer = v.copy());
        }

        /** Sets the decoding beam. */
        public Config beamSize(int v) {
            return set(() -> beamSize = v);
        }

        @Override
        protected void validate() {
            if (dim <= 0 || numLayers <= 0) {
                throw invalid("dim", "dim and numLayers must be positive");
            }
            if (beamSize <= 0) {
                throw invalid("beamSize", "must be positive, got " + beamSize);
            }
        }

        @Override
        protected CtcModel create() {
            return new CtcModel(this);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;
    private final CharVocab vocab;
    private final KaldiFbank frontend;
    private final SpecAugment specAugment;
    private final ConvSubsampler subsampler;
    private final List<ConformerLayer> layers = new ArrayList<>();
    private final Linear head;

    private CtcModel(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        vocab =
                cfg.vocab.instantiateAt(
                        io.axlearn.core.config.ConfigPath.child(cfg.path(), "vocab"));
        frontend = child("frontend", cfg.frontend);
        specAugment = cfg.specAugment == null ? null : child("spec_augment", cfg.specAugment);
        subsampler =
                child(
                        "subsampler",
                        cfg.subsampler,
                        c -> c.inputDim(cfg.frontend.numMelBins()).outputDim(cfg.dim));
        for (int i = 0; i < cfg.numLayers; i++) {
            layers.add(child("layer" + i, cfg.layer, c -> c.inputDim(cfg.dim)));
        }
        head = child("head", Linear.config(), c -> c.inputDim(cfg.dim).outputDim(vocab.size()));
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    /** The vocabulary. */
    public CharVocab vocab() {
        return vocab;
    }

    /**
     * Log probabilities of the ids and their real lengths.
     *
     * @param logProbs {@code [B, T', V]}
     * @param lengths {@code [B]} int64 real steps
     */
    public record Encoded(NDArray logProbs, NDArray lengths) {}

    /**
     * Encodes waveforms.
     *
     * @param audio {@code [B, S]} samples at the front end's rate
     * @param audioLengths {@code [B]} real samples
     */
    public Encoded encode(ForwardContext ctx, NDArray audio, NDArray audioLengths) {
        KaldiFbank.Output f = frontend.forward(ctx.child(frontend), audio, audioLengths);
        NDArray x = normalize(f.features(), f.lengths());
        if (specAugment != null) {
            x = specAugment.forward(ctx.child(specAugment), x, f.lengths());
        }
        x = subsampler.forward(ctx.child(subsampler), x);
        NDArray lengths = subsampler.subsampledLengths(f.lengths());
        NDArray valid = AudioFeatures.validMask(lengths, x.getShape().get(1));
        for (ConformerLayer layer : layers) {
            x = layer.forward(ctx.child(layer), x, valid);
        }
        return new Encoded(head.forward(ctx.child(head), x).logSoftmax(-1), lengths);
    }

    /** Zero mean, unit variance per utterance and bin over the real frames; padding set to 0. */
    private static NDArray normalize(NDArray features, NDArray lengths) {
        NDArray mask =
                AudioFeatures.validMask(lengths, features.getShape().get(1))
                        .toType(DataType.FLOAT32, false)
                        .expandDims(-1);
        NDArray count = mask.sum(new int[] {1}, true).maximum(1f);
        NDArray mean = features.mul(mask).sum(new int[] {1}, true).div(count);
        NDArray centred = features.sub(mean).mul(mask);
        NDArray var = centred.square().sum(new int[] {1}, true).div(count);
        return centred.div(var.add(1e-5f).sqrt());
    }

    @Override
    public Output forward(ForwardContext ctx, Map<String, NDArray> batch) {
        NDArray audioLengths = batch.get(AudioFeatures.AUDIO_LENGTH).reshape(-1);
        long longest = Math.max(1, audioLengths.max().toType(DataType.INT64, false).getLong());
        NDArray audio = batch.get(AudioFeatures.AUDIO).get(new NDIndex(":, :" + longest));
        NDArray labelLengths = batch.get(AudioFeatures.TEXT_LENGTH).reshape(-1);
        NDArray labels = ids(batch, AudioFeatures.TEXT, vocab.size(), "vocab");
        NDArray weight = batch.get(Batch.WEIGHT);
        Encoded e = encode(ctx, audio, audioLengths);
        NDArray perExample =
                CtcLoss.perExample(e.logProbs(), e.lengths(), labels, labelLengths, true);
        NDArray loss = CtcLoss.mean(perExample, labelLengths, weight);
        NDArray lossWeight = weight.sum();
        Map<String, NDArray> metrics = new HashMap<>();
        Map<String, NDArray> metricWeights = new HashMap<>();
        if (!ctx.training()) {
            errorRates(ctx.manager(), e, labels, labelLengths, weight, metrics, metricWeights);
        }
        return new Output(loss, lossWeight, metrics, metricWeights);
    }

    private void errorRates(
            NDManager m,
            Encoded e,
            NDArray labels,
            NDArray labelLengths,
            NDArray weight,
            Map<String, NDArray> metrics,
            Map<String, NDArray> weights) {
        List<String> hyps = decode(e);
        int[] y = labels.toType(DataType.INT32, false).toIntArray();
        int[] ylen = labelLengths.toType(DataType.INT32, false).toIntArray();
        float[] w = weight.toFloatArray();
        int maxLabels = (int) labels.getShape().get(1);
        double charErrors = 0;
        double chars = 0;
        double wordErrors = 0;
        double words = 0;
        for (int b = 0; b < hyps.size(); b++) {
            if (w[b] == 0) {
                continue;
            }
            String ref =
                    vocab.decode(
                            java.util.Arrays.copyOfRange(
                                    y, b * maxLabels, b * maxLabels + ylen[b]));
            charErrors += ErrorRates.characterErrors(hyps.get(b), ref);
            chars += ref.length();
            wordErrors += ErrorRates.wordErrors(hyps.get(b), ref);
            words += ErrorRates.wordCount(ref);
        }
        metrics.put("cer", m.create((float) (charErrors / Math.max(chars, 1))));
        weights.put("cer", m.create((float) chars));
        metrics.put("wer", m.create((float) (wordErrors / Math.max(words, 1))));
        weights.put("wer", m.create((float) words));
    }

    /** The transcripts of an encoded batch. */
    public List<String> decode(Encoded e) {
        Shape s = e.logProbs().getShape();
        int batch = (int) s.get(0);
        int steps = (int) s.get(1);
        int ids = (int) s.get(2);
        float[] all = e.logProbs().toType(DataType.FLOAT32, false).toFloatArray();
        long[] lengths = e.lengths().toLongArray();
        List<String> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[][] lp = new float[steps][ids];
            for (int t = 0; t < steps; t++) {
                System.arraycopy(all, (b * steps + t) * ids, lp[t], 0, ids);
            }
            int n = (int) Math.min(steps, lengths[b]);
            int[] best =
                    cfg.beamSize > 1
                            ? CtcDecoding.prefixBeamSearch(lp, n, cfg.beamSize)
                            : CtcDecoding.greedy(lp, n);
            out.add(vocab.decode(best));
        }
        return out;
    }

    @Override
    public String transcribe(ParamTree params, NDManager manager, Path audio) {
        WavFile.Waveform w = WavFile.read(audio);
        int rate = frontendRate();
        float[] samples = Resampler.resample(w.samples(), w.sampleRate(), rate);
        ForwardContext ctx = ForwardContext.eval(params, manager);
        Encoded e =
                encode(
                        ctx,
                        manager.create(samples).reshape(1, -1),
                        manager.create(new long[] {samples.length}));
        return decode(e).get(0);
    }

    private int frontendRate() {
        return frontend.getConfig().sampleRate();
    }
}

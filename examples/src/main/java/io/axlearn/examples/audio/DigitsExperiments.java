package io.axlearn.examples.audio;

import io.axlearn.audio.asr.ConformerLayer;
import io.axlearn.audio.asr.ConvSubsampler;
import io.axlearn.audio.asr.CtcModel;
import io.axlearn.audio.frontend.KaldiFbank;
import io.axlearn.audio.frontend.SpecAugment;
import io.axlearn.audio.input.ClipPerturbation;
import io.axlearn.audio.input.SpokenDigitsSource;
import io.axlearn.audio.input.SpokenDigitsSource.Split;
import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.input.Input;
import io.axlearn.core.learner.AdamW;
import io.axlearn.core.learner.GlobalNormClipping;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.Schedule;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import io.axlearn.trainer.launch.ExperimentProvider;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code audio.digits}: transcribing spoken digit strings ({@link SpokenDigitsSource}, synthesised
 * on first use). {@code conformer-ctc-tiny} trains a 3-block, 96-dim conformer CTC model on 8,000
 * espeak-ng clips, each perturbed once when it is generated ({@link ClipPerturbation}: speed
 * 0.85-1.15x, a fifth through the telephone band, up to 0.4 s of leading silence, gain within 6 dB,
 * noise at 10-30 dB SNR on half), and evaluates word and character error rates on 300 clips of
 * held-out espeak-ng voices (evaler {@code espeak}) and 300 clips of flite, a synthesiser unseen in
 * training (evaler {@code flite}).
 */
public final class DigitsExperiments implements ExperimentProvider {

    @Override
    public String module() {
        return "audio.digits";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of("conformer-ctc-tiny", DigitsExperiments::conformerCtcTiny);
    }

    /** The tiny conformer CTC run. */
    public static Trainer.Config conformerCtcTiny() {
        long maxStep = 2000;
        long evalEvery = 250;
        CtcModel.Config model =
                CtcModel.config()
                        .vocab(SpokenDigitsSource.vocab())
                        .dim(96)
                        .numLayers(3)
                        .frontend(KaldiFbank.config().numMelBins(80))
                        .specAugment(
                                SpecAugment.config()
                                        .maxFreqWidth(15)
                                        .maxTimeWidth(20)
                                        .maxTimeFraction(0.1)
                                        .maxFrequencyWarp(0.15)
                                        .bandLimitProbability(0.3))
                        .subsampler(ConvSubsampler.config().channels(32))
                        .layer(ConformerLayer.config().numHeads(4).convKernelSize(15).dropout(0.1));
        return Trainer.config()
                .model(model)
                .input(
                        Input.config()
                                .source(
                                        new SpokenDigitsSource()
                                                .split(Split.TRAIN)
                                                .count(8000)
                                                .perturbation(
                                                        ClipPerturbation.config()
                                                                .maxSpeedChange(0.15)
                                                                .telephoneProbability(0.2)
                                                                .maxLeadingSilenceSeconds(0.4)
                                                                .maxGainDb(6)
                                                                .noiseProbability(0.5)))
                                .batchSize(32)
                                .shuffleBufferSize(8000)
                                .seed(1))
                .learner(
                        Learner.config()
                                .optimizer(
                                        AdamW.config()
                                                .learningRate(
                                                        Schedule.cosineWithLinearWarmup(
                                                                        2e-3, 150, maxStep)
                                                                .alpha(0.05))
                                                .weightDecay(1e-2))
                                .clipping(GlobalNormClipping.config(5.0)))
                .checkpointer(Checkpointer.config().everyNSteps(evalEvery).keepLast(2))
                .evaler("espeak", heldOut(Split.HELD_OUT_ESPEAK, evalEvery))
                .evaler("flite", heldOut(Split.HELD_OUT_FLITE, evalEvery))
                .maxStep(maxStep)
                .seed(0);
    }

    private static Evaler.Config heldOut(Split split, long every) {
        return Evaler.config()
                .input(
                        Input.config()
                                .source(new SpokenDigitsSource().split(split).count(300))
                                .batchSize(50))
                .everyNSteps(every);
    }
}

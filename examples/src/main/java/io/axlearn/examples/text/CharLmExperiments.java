package io.axlearn.examples.text;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.input.Input;
import io.axlearn.core.learner.AdamW;
import io.axlearn.core.learner.GlobalNormClipping;
import io.axlearn.core.learner.Learner;
import io.axlearn.core.learner.Schedule;
import io.axlearn.core.module.BaseModel;
import io.axlearn.text.input.ByteTextSource;
import io.axlearn.text.lm.CausalLm;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import io.axlearn.trainer.launch.ExperimentProvider;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code text.charlm}: a byte-level causal Transformer language model trained on a text corpus, by
 * default the King James Bible embedded in this module (public domain), with the last 2% held out
 * for evaluation. Any text file or folder works: {@code --set input.source.path=/my/corpus.txt
 * --set evalers[validation].input.source.path=/my/corpus.txt}.
 *
 * <ul>
 *   <li>{@code tiny}: 2 layers, d=128, context 128, batch 32, 1,600 steps; reaches an evaluation
 *       loss below 2.0 nats/byte in minutes on a 2-core CPU (see docs/training.md).
 *   <li>{@code base}: 8 layers, d=512, context 256, batch 64, 20,000 steps, for more compute.
 * </ul>
 */
public final class CharLmExperiments implements ExperimentProvider {
    /** The embedded default corpus. */
    public static final String KJV = "classpath:io/axlearn/examples/text/kjv.txt.gz";

    @Override
    public String module() {
        return "text.charlm";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of(
                "tiny", () -> trainer(128, 2, 4, 128, 32, 1_600, 3e-3, 100, 200),
                "base", () -> trainer(512, 8, 8, 256, 64, 20_000, 1e-3, 1_000, 1_000));
    }

    /**
     * A charlm trainer config.
     *
     * @param dim model width
     * @param layers number of Transformer layers
     * @param heads attention heads
     * @param seqLen context length in bytes
     * @param batchSize sequences per step
     * @param maxStep training steps
     * @param peakLr peak learning rate of the cosine schedule
     * @param warmup warm-up steps
     * @param evalEvery evaluation and checkpoint interval
     */
    public static Trainer.Config trainer(
            int dim,
            int layers,
            int heads,
            int seqLen,
            int batchSize,
            long maxStep,
            double peakLr,
            long warmup,
            long evalEvery) {
        ByteTextSource train = new ByteTextSource().path(KJV).seqLen(seqLen);
        ByteTextSource eval = train.copy().split(ByteTextSource.Split.EVAL);
        return textTrainer(
                CausalLm.gpt(256, dim, layers, heads, 4.0, 0.0),
                Input.config().source(train).batchSize(batchSize).shuffleBufferSize(1024).seed(1),
                Input.config().source(eval).batchSize(batchSize),
                maxStep,
                peakLr,
                warmup,
                evalEvery);
    }

    /**
     * The trainer every text experiment shares: AdamW with a cosine schedule ({@link #learner}), a
     * checkpoint and a {@code validation} evaluation every {@code evalEvery} steps, the last 3
     * checkpoints kept, seed 0.
     *
     * @param model the model
     * @param train the training input
     * @param eval the {@code validation} evaler's input
     * @param maxStep training steps
     * @param peakLr peak learning rate of the cosine schedule
     * @param warmup warm-up steps
     * @param evalEvery evaluation and checkpoint interval
     */
    static Trainer.Config textTrainer(
            BaseModel.Config<?, ?> model,
            Input.Config train,
            Input.Config eval,
            long maxStep,
            double peakLr,
            long warmup,
            long evalEvery) {
        return Trainer.config()
                .model(model)
                .input(train)
                .learner(learner(peakLr, warmup, maxStep))
                .checkpointer(Checkpointer.config().everyNSteps(evalEvery).keepLast(3))
                .evaler("validation", Evaler.config().input(eval).everyNSteps(evalEvery))
                .maxStep(maxStep)
                .seed(0);
    }

    /**
     * The text experiments' learner: AdamW (weight decay 0.01) on a cosine schedule with linear
     * warm-up that ends at 10% of the peak, and global-norm clipping at 1.0.
     *
     * @param peakLr peak learning rate
     * @param warmup warm-up steps
     * @param maxStep the step where the schedule ends
     */
    public static Learner.Config learner(double peakLr, long warmup, long maxStep) {
        return Learner.config()
                .optimizer(
                        AdamW.config()
                                .learningRate(
                                        Schedule.cosineWithLinearWarmup(peakLr, warmup, maxStep)
                                                .alpha(0.1))
                                .weightDecay(0.01))
                .clipping(GlobalNormClipping.config(1.0));
    }
}

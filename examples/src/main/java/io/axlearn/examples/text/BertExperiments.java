package io.axlearn.examples.text;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.input.Input;
import io.axlearn.text.bert.BertEncoder;
import io.axlearn.text.bert.BertMlm;
import io.axlearn.text.input.ByteTextSource;
import io.axlearn.text.input.MlmMasking;
import io.axlearn.text.input.TokenWindowSource;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.eval.Evaler;
import io.axlearn.trainer.launch.ExperimentProvider;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code text.bert}: BERT masked-LM pre-training with the real {@code bert-base-uncased} WordPiece
 * vocabulary on a text corpus, by default the King James Bible embedded in this module (public
 * domain), with the last 2% of its tokens held out. The corpus is cut into {@code [CLS] ... [SEP]}
 * windows ({@link TokenWindowSource}) and masked as BERT does ({@link MlmMasking}: 15%, 80/10/10);
 * the evaluation masks are the same at every evaluation. Any text file or folder works: {@code
 * --set input.source.path=/my/corpus.txt --set
 * evalers[validation].input.source.path=/my/corpus.txt}; whole-word masking is {@code --set
 * input.processors[0].wholeWord=true}.
 *
 * <ul>
 *   <li>{@code mlm-tiny}: BERT-Tiny ({@link BertEncoder#tiny()}: 2 layers, d=128, 2 heads,
 *       feed-forward 512), windows of 128, batch 32, 2,000 steps of AdamW with a cosine schedule.
 * </ul>
 */
public final class BertExperiments implements ExperimentProvider {

    @Override
    public String module() {
        return "text.bert";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of("mlm-tiny", () -> mlm(BertEncoder.tiny(), 128, 32, 2_000, 1e-3, 100, 200));
    }

    /**
     * A masked-LM trainer config.
     *
     * @param encoder the BERT encoder
     * @param seqLen window length in tokens, {@code [CLS]} and {@code [SEP]} included
     * @param batchSize windows per step
     * @param maxStep training steps
     * @param peakLr peak learning rate of the cosine schedule
     * @param warmup warm-up steps
     * @param evalEvery evaluation and checkpoint interval
     */
    public static Trainer.Config mlm(
            BertEncoder.Config encoder,
            int seqLen,
            int batchSize,
            long maxStep,
            double peakLr,
            long warmup,
            long evalEvery) {
        TokenWindowSource train =
                new TokenWindowSource().path(CharLmExperiments.KJV).seqLen(seqLen);
        TokenWindowSource eval = train.copy().split(ByteTextSource.Split.EVAL);
        return Trainer.config()
                .model(BertMlm.of(encoder))
                .input(
                        Input.config()
                                .source(train)
                                .addProcessor(new MlmMasking())
                                .batchSize(batchSize)
                                .shuffleBufferSize(1024)
                                .seed(1))
                .learner(CharLmExperiments.learner(peakLr, warmup, maxStep))
                .checkpointer(Checkpointer.config().everyNSteps(evalEvery).keepLast(3))
                .evaler(
                        "validation",
                        Evaler.config()
                                .input(
                                        Input.config()
                                                .source(eval)
                                                .addProcessor(new MlmMasking().seed(1))
                                                .batchSize(batchSize))
                                .everyNSteps(evalEvery))
                .maxStep(maxStep)
                .seed(0);
    }
}

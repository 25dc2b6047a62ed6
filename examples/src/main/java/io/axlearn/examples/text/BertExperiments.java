package io.axlearn.examples.text;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.input.Input;
import io.axlearn.text.bert.BertClassifier;
import io.axlearn.text.bert.BertEncoder;
import io.axlearn.text.bert.BertMlm;
import io.axlearn.text.bert.MiniLm;
import io.axlearn.text.input.ByteTextSource;
import io.axlearn.text.input.MlmMasking;
import io.axlearn.text.input.SequenceClassificationSource;
import io.axlearn.text.input.SpamAssassin;
import io.axlearn.text.input.TokenWindowSource;
import io.axlearn.trainer.InitialWeights;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.launch.ExperimentProvider;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code text.bert}: BERT masked-LM pre-training and fine-tuning for classification. Pre-training
 * uses the real {@code bert-base-uncased} WordPiece vocabulary on a text corpus, by default the
 * King James Bible embedded in this module (public domain), with the last 2% of its tokens held
 * out. The corpus is cut into {@code [CLS] ... [SEP]} windows ({@link TokenWindowSource}) and
 * masked as BERT does ({@link MlmMasking}: 15%, 80/10/10); the evaluation masks are the same at
 * every evaluation. Any text file or folder works: {@code --set input.source.path=/my/corpus.txt
 * --set evalers[validation].input.source.path=/my/corpus.txt}; whole-word masking is {@code --set
 * input.processors[0].wholeWord=true}.
 *
 * <ul>
 *   <li>{@code mlm-tiny}: BERT-Tiny ({@link BertEncoder#tiny()}: 2 layers, d=128, 2 heads,
 *       feed-forward 512), windows of 128, batch 32, 2,000 steps of AdamW with a cosine schedule.
 *   <li>{@code classify-tiny}: BERT-Tiny fine-tuned as a spam filter on the SpamAssassin corpus
 *       ({@link SpamAssassin}: subject and body of 6,046 emails, every 10th held out), first 128
 *       tokens, batch 32, 600 steps; reports accuracy and precision, recall and F1 of {@code spam}.
 *       From scratch by default; from an {@code mlm-tiny} run with {@code --set
 *       initFrom.path=runs/mlm-tiny} plus {@link #fromMlm}'s other two settings. Any JSONL, CSV or
 *       TSV file trains with {@code --set input.source.path=...} (and {@code textField}, {@code
 *       labelField}, {@code labels}, {@code model.numClasses} to match).
 *   <li>{@code minilm-classify}: the same spam filter fine-tuned from the pretrained
 *       all-MiniLM-L6-v2 ({@link #minilmClassify}: 6 layers, d=384), batch 16, 240 steps; see
 *       docs/interop.md.
 * </ul>
 */
public final class BertExperiments implements ExperimentProvider {

    @Override
    public String module() {
        return "text.bert";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of(
                "mlm-tiny",
                () -> mlm(BertEncoder.tiny(), 128, 32, 2_000, 1e-3, 100, 200),
                "classify-tiny",
                () -> classify(BertEncoder.tiny(), 128, 32, 600, 1e-3, 60, 100),
                "minilm-classify",
                () -> minilmClassify(128, 16, 240, 1e-4, 24, 120));
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
        return CharLmExperiments.textTrainer(
                BertMlm.of(encoder),
                Input.config()
                        .source(train)
                        .addProcessor(new MlmMasking())
                        .batchSize(batchSize)
                        .shuffleBufferSize(1024)
                        .seed(1),
                Input.config()
                        .source(eval)
                        .addProcessor(new MlmMasking().seed(1))
                        .batchSize(batchSize),
                maxStep,
                peakLr,
                warmup,
                evalEvery);
    }

    /**
     * The labels of the SpamAssassin corpus in id order: {@code spam} (id 1) is the positive class.
     */
    public static final List<String> SPAM_LABELS = List.of("ham", "spam");

    /**
     * A sequence-classification trainer config on the SpamAssassin corpus (every 10th email held
     * out) with the {@code bert-base-uncased} vocabulary, from the initialisers.
     *
     * @param encoder the BERT encoder
     * @param seqLen tokens per email, {@code [CLS]} and {@code [SEP]} included
     * @param batchSize emails per step
     * @param maxStep training steps
     * @param peakLr peak learning rate of the cosine schedule
     * @param warmup warm-up steps
     * @param evalEvery evaluation and checkpoint interval
     */
    public static Trainer.Config classify(
            BertEncoder.Config encoder,
            int seqLen,
            int batchSize,
            long maxStep,
            double peakLr,
            long warmup,
            long evalEvery) {
        SequenceClassificationSource train = spamAssassin(seqLen);
        SequenceClassificationSource eval =
                train.copy().split(SequenceClassificationSource.Split.HELD_OUT);
        return CharLmExperiments.textTrainer(
                BertClassifier.of(encoder, SPAM_LABELS.size()).positiveClass(1),
                // The file is sorted by folder (ham, then spam): shuffle across the whole split.
                Input.config().source(train).batchSize(batchSize).shuffleBufferSize(8192).seed(1),
                Input.config().source(eval).batchSize(batchSize),
                maxStep,
                peakLr,
                warmup,
                evalEvery);
    }

    /**
     * The training split of the SpamAssassin corpus with the {@code bert-base-uncased} WordPiece
     * vocabulary; {@code .split(HELD_OUT)} gives the evaluation split.
     *
     * @param seqLen tokens per email, {@code [CLS]} and {@code [SEP]} included
     */
    public static SequenceClassificationSource spamAssassin(int seqLen) {
        return new SequenceClassificationSource()
                .path(SpamAssassin.JSONL)
                .labels(SPAM_LABELS)
                .seqLen(seqLen);
    }

    /**
     * {@code minilm-classify}: the pretrained all-MiniLM-L6-v2 ({@link MiniLm}, read from its ONNX
     * file on the class path) fine-tuned as the SpamAssassin spam filter of {@link #classify}; the
     * pooler and classifier start fresh. MiniLM's vocabulary is {@code bert-base-uncased}'s, the
     * one {@link #spamAssassin} tokenizes with.
     *
     * @param seqLen tokens per email
     * @param batchSize emails per step
     * @param maxStep training steps
     * @param peakLr peak learning rate
     * @param warmup warm-up steps
     * @param evalEvery evaluation and checkpoint interval
     */
    public static Trainer.Config minilmClassify(
            int seqLen, int batchSize, long maxStep, double peakLr, long warmup, long evalEvery) {
        return classify(MiniLm.encoder(0.1), seqLen, batchSize, maxStep, peakLr, warmup, evalEvery)
                .initFrom(
                        InitialWeights.config()
                                .path(InitialWeights.CLASSPATH + MiniLm.ONNX_RESOURCE)
                                .family("bert")
                                .freshPaths("pooler/.*", "classifier/.*"));
    }

    /**
     * Initial weights for {@code classify-tiny} from an {@code mlm-tiny} trainer directory: the
     * encoder ({@code bert/...}) is taken, the pooler and classifier start fresh (the masked-LM run
     * has none), and the masked-LM head is left unused. On the command line: {@code --set
     * initFrom.path=DIR --set 'initFrom.freshPaths=["pooler/.*","classifier/.*"]' --set
     * initFrom.allowUnused=true}.
     *
     * @param mlmRun the {@code mlm-tiny} trainer directory (its newest complete checkpoint)
     */
    public static InitialWeights.Config fromMlm(String mlmRun) {
        return InitialWeights.config()
                .path(mlmRun)
                .freshPaths("pooler/.*", "classifier/.*")
                .allowUnused(true);
    }
}

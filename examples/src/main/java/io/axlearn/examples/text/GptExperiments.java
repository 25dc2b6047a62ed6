package io.axlearn.examples.text;

import io.axlearn.core.config.ConfigBase;
import io.axlearn.core.input.Input;
import io.axlearn.text.input.ByteTextSource;
import io.axlearn.text.input.PackedLmSource;
import io.axlearn.text.lm.CausalLm;
import io.axlearn.text.tokenizers.Gpt2BpeTokenizer;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.launch.ExperimentProvider;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code text.gpt}: a GPT-style causal language model on GPT-2's byte-level BPE vocabulary (50,257
 * ids), trained on a text corpus, by default the King James Bible embedded in this module (public
 * domain) with every chapter a document and the last 2% of the tokens held out. Documents are
 * packed into full windows after GPT-2's {@code <|endoftext|>} id ({@link PackedLmSource}); a token
 * attends only to its own chapter. The model and its input share one tokenizer config, so {@code
 * ./axlearn generate} reads and writes text as the run was trained.
 *
 * <ul>
 *   <li>{@code bpe-small}: 4 pre-norm layers, d=128, 4 heads, rotary positions, output tied to the
 *       embedding (6.4 M of its 7.2 M parameters are the embedding), context 128 tokens, batch 8,
 *       1,200 steps (about one pass over the 1.1 M training tokens) of AdamW on a cosine schedule.
 * </ul>
 *
 * <p>Another corpus: {@code --set input.source.path=/my/corpus --set
 * evalers[validation].input.source.path=/my/corpus}, with documents between blank lines ({@code
 * --set input.source.documentSeparator='\n\s*\n'} and the same for the evaler).
 */
public final class GptExperiments implements ExperimentProvider {
    /**
     * The KJV's chapter breaks: the blank line before a heading such as {@code "Genesis 2"} (the
     * heading is followed by a blank line).
     */
    public static final String KJV_CHAPTERS = "\\n\\n(?=[^\\n]+ \\d+\\n\\n)";

    @Override
    public String module() {
        return "text.gpt";
    }

    @Override
    public Map<String, Supplier<? extends ConfigBase<?>>> experiments() {
        return Map.of("bpe-small", () -> trainer(128, 4, 4, 128, 8, 1_200, 3e-3, 100, 200));
    }

    /**
     * A text.gpt trainer config on the KJV with the GPT-2 tokenizer.
     *
     * @param dim model width
     * @param layers number of Transformer layers
     * @param heads attention heads
     * @param seqLen context length in tokens
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
        Gpt2BpeTokenizer.Config tokenizer = Gpt2BpeTokenizer.gpt2();
        int vocabSize = tokenizer.instantiate().vocabSize();
        PackedLmSource train =
                new PackedLmSource()
                        .path(CharLmExperiments.KJV)
                        .tokenizer(tokenizer)
                        .documentSeparator(KJV_CHAPTERS)
                        .segmentIds(true)
                        .seqLen(seqLen);
        PackedLmSource eval = train.copy().split(ByteTextSource.Split.EVAL);
        return CharLmExperiments.textTrainer(
                CausalLm.gpt(vocabSize, dim, layers, heads, 4.0, 0.0)
                        .tokenizer(tokenizer)
                        .eosBeforePrompt(true),
                Input.config().source(train).batchSize(batchSize).shuffleBufferSize(1024).seed(1),
                Input.config().source(eval).batchSize(batchSize),
                maxStep,
                peakLr,
                warmup,
                evalEvery);
    }
}

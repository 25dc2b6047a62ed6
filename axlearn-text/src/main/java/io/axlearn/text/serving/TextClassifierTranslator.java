package io.axlearn.text.serving;

import ai.djl.modality.Classifications;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.axlearn.text.tokenizers.BatchOptions;
import io.axlearn.text.tokenizers.TokenBatch;
import io.axlearn.text.tokenizers.Tokenizer;
import java.util.List;

/**
 * Text in, class probabilities out: tokenizes with the model's tokenizer ({@code [CLS] ... [SEP]},
 * cut to {@code maxLength} tokens, as {@link io.axlearn.text.input.SequenceClassificationSource}
 * frames training texts), runs the classifier and applies softmax over its logits.
 */
public final class TextClassifierTranslator
        implements NoBatchifyTranslator<String, Classifications> {
    private final Tokenizer tokenizer;
    private final List<String> labels;
    private final int maxLength;

    /**
     * A translator.
     *
     * @param tokenizer the model's tokenizer
     * @param labels class names in id order
     * @param maxLength most tokens per text, special tokens included
     */
    public TextClassifierTranslator(Tokenizer tokenizer, List<String> labels, int maxLength) {
        this.tokenizer = tokenizer;
        this.labels = List.copyOf(labels);
        this.maxLength = maxLength;
    }

    /** The token ids of {@code text} as the model sees them ({@code [1, T]}). */
    public TokenBatch encode(String text) {
        return tokenizer.encodeBatch(
                List.of(text), BatchOptions.longest().withSpecialTokens().truncateTo(maxLength));
    }

    @Override
    public NDList processInput(TranslatorContext ctx, String input) {
        TokenBatch batch = encode(input);
        NDManager m = ctx.getNDManager();
        Shape shape = new Shape(1, batch.seqLen());
        NDArray ids = m.create(batch.flatIds(), shape).toType(DataType.INT64, false);
        NDArray types = m.zeros(shape, DataType.INT64);
        NDArray mask = m.create(batch.flatMask(), shape);
        return new NDList(ids, types, mask);
    }

    @Override
    public Classifications processOutput(TranslatorContext ctx, NDList list) {
        NDArray probabilities = list.singletonOrThrow().get(0).softmax(-1);
        return new Classifications(labels, probabilities);
    }
}

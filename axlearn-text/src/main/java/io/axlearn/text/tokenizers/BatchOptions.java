package io.axlearn.text.tokenizers;

/**
 * How {@link Tokenizer#encodeBatch} shapes a batch: whether to add the tokenizer's special tokens,
 * the most ids a row may hold (longer rows are truncated from the end, keeping the special tokens),
 * and whether rows are padded to the longest row or to {@code maxLength}.
 *
 * <pre>{@code
 * TokenBatch b = bert.encodeBatch(lines, BatchOptions.longest().withSpecialTokens().truncateTo(128));
 * }</pre>
 *
 * @param addSpecialTokens whether rows get {@link Tokenizer#specialPrefix()} and {@link
 *     Tokenizer#specialSuffix()} (BERT: {@code [CLS] ... [SEP]})
 * @param maxLength the most ids per row, special tokens included; {@link Integer#MAX_VALUE} for no
 *     truncation; must be positive
 * @param padding the length rows are padded to
 */
public record BatchOptions(boolean addSpecialTokens, int maxLength, Padding padding) {

    /** The length rows are padded to. */
    public enum Padding {
        /** The longest row of the batch. */
        LONGEST,
        /** {@code maxLength}, so every batch has the same shape. */
        MAX_LENGTH
    }

    /** Checks the values. */
    public BatchOptions {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive, got " + maxLength);
        }
        if (padding == Padding.MAX_LENGTH && maxLength == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("padding to maxLength needs a maxLength");
        }
        if (padding == null) {
            throw new IllegalArgumentException("padding must not be null");
        }
    }

    /** No special tokens, no truncation, padding to the longest row. */
    public static BatchOptions longest() {
        return new BatchOptions(false, Integer.MAX_VALUE, Padding.LONGEST);
    }

    /** These options with the special tokens added. */
    public BatchOptions withSpecialTokens() {
        return new BatchOptions(true, maxLength, padding);
    }

    /** These options with rows cut to at most {@code max} ids. */
    public BatchOptions truncateTo(int max) {
        return new BatchOptions(addSpecialTokens, max, padding);
    }

    /**
     * These options with every row padded to {@code maxLength} (set it with {@link #truncateTo}).
     */
    public BatchOptions padToMaxLength() {
        return new BatchOptions(addSpecialTokens, maxLength, Padding.MAX_LENGTH);
    }
}

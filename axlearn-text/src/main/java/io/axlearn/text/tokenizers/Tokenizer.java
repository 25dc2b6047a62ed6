package io.axlearn.text.tokenizers;

import io.axlearn.core.config.InstantiableConfig;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Text to token ids and back. Every tokenizer is built from its config ({@link Config}), so a model
 * config that names its tokenizer is all a run needs to read and write text.
 *
 * <p>Implementations: {@link ByteTokenizer} (UTF-8 bytes), {@link WordPieceTokenizer} (BERT's
 * {@code vocab.txt}), {@link Gpt2BpeTokenizer} (GPT-2's byte-level BPE) and {@link HfTokenizer}
 * (any Hugging Face {@code tokenizer.json}). {@link #encode(String)} never adds special tokens;
 * {@link #encode(String, boolean)} and {@link #encodeBatch} add them on request, around the text's
 * ids ({@link #specialPrefix()}, {@link #specialSuffix()}).
 */
public interface Tokenizer {

    /**
     * Base of tokenizer configs.
     *
     * @param <S> the concrete config type
     */
    abstract class Config<S extends Config<S>> extends InstantiableConfig<S, Tokenizer> {}

    /** Number of ids: every id is in {@code [0, vocabSize)}. */
    int vocabSize();

    /** The ids of {@code text}, without special tokens. */
    int[] encode(String text);

    /**
     * The text of {@code ids}.
     *
     * @throws IllegalArgumentException naming an id outside {@code [0, vocabSize)}
     */
    String decode(int[] ids);

    /** The id that ends a sequence, if this tokenizer has one. */
    OptionalInt eosId();

    /**
     * The id of one whole vocabulary entry such as {@code "[MASK]"} or {@code "<|endoftext|>"}, if
     * the vocabulary has it; empty for tokenizers without named entries.
     */
    default OptionalInt tokenId(String token) {
        return OptionalInt.empty();
    }

    /** The id that pads batches ({@link #encodeBatch}); masked out, so any valid id will do. */
    default int padId() {
        return eosId().orElse(0);
    }

    /** Special ids put before a sequence's ids (BERT: {@code [CLS]}); empty for most tokenizers. */
    default int[] specialPrefix() {
        return new int[0];
    }

    /** Special ids put after a sequence's ids (BERT: {@code [SEP]}); empty for most tokenizers. */
    default int[] specialSuffix() {
        return new int[0];
    }

    /**
     * The ids of {@code text}, with {@link #specialPrefix()} and {@link #specialSuffix()} around
     * them if {@code addSpecialTokens}.
     */
    default int[] encode(String text, boolean addSpecialTokens) {
        int[] ids = encode(text);
        return addSpecialTokens ? withSpecialTokens(ids, Integer.MAX_VALUE) : ids;
    }

    /**
     * The ids of each text, without special tokens: {@link #encode(String)} on each, in order.
     * Tokenizers with a faster batch path override this.
     */
    default int[][] encodeAll(List<String> texts) {
        int[][] out = new int[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(texts.get(i));
        }
        return out;
    }

    /**
     * Encodes {@code texts} into one padded batch: each text's ids (with the special tokens if
     * {@link BatchOptions#addSpecialTokens()}), truncated from the end to {@link
     * BatchOptions#maxLength()} (the special tokens are kept), then padded with {@link #padId()} to
     * the longest sequence or to {@code maxLength}.
     *
     * @throws IllegalArgumentException if {@code maxLength} leaves no room for the text after the
     *     special tokens
     */
    default TokenBatch encodeBatch(List<String> texts, BatchOptions options) {
        int special =
                options.addSpecialTokens() ? specialPrefix().length + specialSuffix().length : 0;
        if (options.maxLength() <= special) {
            throw new IllegalArgumentException(
                    "maxLength "
                            + options.maxLength()
                            + " leaves no room after "
                            + special
                            + " special tokens");
        }
        int[][] raw = encodeAll(texts);
        int[][] rows = new int[raw.length][];
        for (int i = 0; i < raw.length; i++) {
            rows[i] =
                    options.addSpecialTokens()
                            ? withSpecialTokens(raw[i], options.maxLength() - special)
                            : Arrays.copyOf(raw[i], Math.min(raw[i].length, options.maxLength()));
        }
        int len = 0;
        for (int[] r : rows) {
            len = Math.max(len, r.length);
        }
        if (options.padding() == BatchOptions.Padding.MAX_LENGTH) {
            len = options.maxLength();
        }
        return TokenBatch.pad(rows, len, padId());
    }

    /**
     * {@code ids} cut to at most {@code maxTextIds} ids, between {@link #specialPrefix()} and
     * {@link #specialSuffix()}.
     */
    private int[] withSpecialTokens(int[] ids, int maxTextIds) {
        int[] pre = specialPrefix();
        int[] post = specialSuffix();
        int n = Math.min(ids.length, maxTextIds);
        int[] out = new int[pre.length + n + post.length];
        System.arraycopy(pre, 0, out, 0, pre.length);
        System.arraycopy(ids, 0, out, pre.length, n);
        System.arraycopy(post, 0, out, pre.length + n, post.length);
        return out;
    }
}

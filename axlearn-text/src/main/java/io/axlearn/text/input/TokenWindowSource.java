package io.axlearn.text.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Encoder (BERT-style) windows of a tokenised corpus: the corpus is tokenised line by line into one
 * id stream, which is cut into consecutive, non-overlapping pieces of {@code seqLen} minus the
 * tokenizer's special tokens; example {@code i} has {@code inputs}: {@code int[seqLen]} holding the
 * tokenizer's prefix ({@code [CLS]}), piece {@code i} and its suffix ({@code [SEP]}). Every window
 * is full, so there is no padding; pair it with {@link MlmMasking} for masked-LM training.
 *
 * <p>The last {@code evalFraction} of the id stream is held out: the {@code TRAIN} split reads the
 * windows before it, the {@code EVAL} split the windows inside it. The stream is tokenised once per
 * corpus and tokenizer in a process and shared by both splits.
 */
public final class TokenWindowSource extends ExampleSource.Config<TokenWindowSource> {
    /** Name of the ids feature. */
    public static final String INPUTS = "inputs";

    private static final Pattern LINES = Pattern.compile("\n");

    /**
     * The corpus: a text file, a folder of text files, or {@code classpath:resource}; {@code .gz}
     * files are decompressed (see {@link TextFiles}).
     */
    @Required private String path;

    /** The tokenizer; its special prefix and suffix frame every window. */
    private Tokenizer.Config<?> tokenizer = WordPieceTokenizer.bertBaseUncased();

    /** Ids per example, special tokens included (the model's sequence length). */
    @Required private Integer seqLen;

    /** Which part of the corpus to read. */
    private ByteTextSource.Split split = ByteTextSource.Split.TRAIN;

    /** Fraction of the id stream (from its end) held out for evaluation, in (0, 1). */
    private double evalFraction = 0.02;

    /** Sets the corpus location. */
    public TokenWindowSource path(String v) {
        return set(() -> path = v);
    }

    /** Sets the tokenizer (copied). */
    public TokenWindowSource tokenizer(Tokenizer.Config<?> v) {
        return set(() -> tokenizer = v.copy());
    }

    /** Sets the ids per example. */
    public TokenWindowSource seqLen(int v) {
        return set(() -> seqLen = v);
    }

    /** Sets the split. */
    public TokenWindowSource split(ByteTextSource.Split v) {
        return set(() -> split = v);
    }

    /** Sets the held-out fraction. */
    public TokenWindowSource evalFraction(double v) {
        return set(() -> evalFraction = v);
    }

    /** The tokenizer config. */
    public Tokenizer.Config<?> tokenizer() {
        return tokenizer;
    }

    @Override
    protected void validate() {
        if (seqLen <= 0) {
            throw invalid("seqLen", "must be positive, got " + seqLen);
        }
        if (!(evalFraction > 0 && evalFraction < 1)) {
            throw invalid("evalFraction", "must be in (0, 1), got " + evalFraction);
        }
    }

    @Override
    protected ExampleSource create() {
        Tokenizer tok = tokenizer.instantiateAt(ConfigPath.child(path(), "tokenizer"));
        int[] prefix = tok.specialPrefix();
        int[] suffix = tok.specialSuffix();
        int body = TokenStreams.textIdsPerWindow(tok, seqLen, ConfigPath.child(path(), "seqLen"));
        int[] ids =
                TokenStreams.of(
                        path,
                        ConfigPath.child(path(), "path"),
                        tokenizer,
                        tok,
                        LINES,
                        OptionalInt.empty());
        int from = split.from(ids.length, evalFraction);
        int to = split.to(ids.length, evalFraction);
        long count = (to - from) / body;
        if (count == 0) {
            throw new ConfigException(
                    ConfigPath.child(path(), "seqLen")
                            + " is "
                            + seqLen
                            + ", but the "
                            + split
                            + " split of "
                            + path
                            + " has "
                            + (to - from)
                            + " of its "
                            + ids.length
                            + " ids; one window needs "
                            + body
                            + " besides the special tokens");
        }
        int len = seqLen;
        return new ExampleSource() {
            @Override
            public long size() {
                return count;
            }

            @Override
            public Example get(long index) {
                int[] window = new int[len];
                System.arraycopy(prefix, 0, window, 0, prefix.length);
                System.arraycopy(ids, from + (int) index * body, window, prefix.length, body);
                System.arraycopy(suffix, 0, window, prefix.length + body, suffix.length);
                return Example.of(Map.of(INPUTS, window));
            }

            @Override
            public String toString() {
                return "TokenWindowSource(" + split + ", " + count + " windows of " + len + ")";
            }
        };
    }
}

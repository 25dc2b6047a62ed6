package io.axlearn.text.input;

import io.axlearn.core.config.ConfigPath;
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
public final class TokenWindowSource extends CorpusWindowSource<TokenWindowSource> {
    /** Name of the ids feature. */
    public static final String INPUTS = "inputs";

    private static final Pattern LINES = Pattern.compile("\n");

    /** The tokenizer; its special prefix and suffix frame every window. */
    private Tokenizer.Config<?> tokenizer = WordPieceTokenizer.bertBaseUncased();

    /** Sets the tokenizer (copied). */
    public TokenWindowSource tokenizer(Tokenizer.Config<?> v) {
        return set(() -> tokenizer = v.copy());
    }

    /** The tokenizer config. */
    public Tokenizer.Config<?> tokenizer() {
        return tokenizer;
    }

    @Override
    protected ExampleSource create() {
        Tokenizer tok = tokenizer.instantiateAt(ConfigPath.child(path(), "tokenizer"));
        int[] prefix = tok.specialPrefix();
        int[] suffix = tok.specialSuffix();
        int body = TokenStreams.textIdsPerWindow(tok, seqLen(), ConfigPath.child(path(), "seqLen"));
        int[] ids =
                TokenStreams.of(
                        corpus(),
                        ConfigPath.child(path(), "path"),
                        tokenizer,
                        tok,
                        LINES,
                        OptionalInt.empty());
        int from = splitFrom(ids.length);
        int to = splitTo(ids.length);
        long count = (to - from) / body;
        if (count == 0) {
            throw splitTooShort(
                    to - from,
                    ids.length,
                    "ids",
                    "one window needs " + body + " besides the special tokens");
        }
        int len = seqLen();
        ByteTextSource.Split split = split();
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

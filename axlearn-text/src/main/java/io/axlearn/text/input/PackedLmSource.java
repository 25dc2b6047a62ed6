package io.axlearn.text.input;

import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.text.lm.CausalLm;
import io.axlearn.text.tokenizers.Gpt2BpeTokenizer;
import io.axlearn.text.tokenizers.Tokenizer;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Causal-LM examples from a tokenised corpus, packed: the corpus is split into documents at {@code
 * documentSeparator}, each document is tokenised and preceded by the tokenizer's end-of-sequence id
 * (GPT-2's {@code <|endoftext|>} both ends one text and starts the next), and the documents are
 * joined into one id stream that is cut into consecutive windows of {@code seqLen + 1} ids
 * overlapping by one. Example {@code i} has {@code inputs} (ids {@code 0..seqLen-1} of window
 * {@code i}) and {@code targets} (ids {@code 1..seqLen}), each an {@code int[seqLen]}; every window
 * is full, so nothing is padded and no token is wasted.
 *
 * <p>With {@code segmentIds}, examples also carry {@link CausalLm#SEGMENT_IDS} ({@code
 * int[seqLen]}: 1 for the window's first document, counting up at every end-of-sequence id in
 * {@code inputs}) and {@link CausalLm#POSITIONS} (each input's position within its document, 0 at
 * each start and at the window's start), so that {@link CausalLm} lets a token attend only to its
 * own document and gives it positions counted from the document's start, as if the documents were
 * fed one at a time (axlearn's packed input, <a href="https://arxiv.org/abs/2107.02027">Krell et
 * al. 2021</a>). Without it, tokens attend across document boundaries, as GPT-2 was trained.
 *
 * <p>The last {@code evalFraction} of the id stream is held out: the {@code TRAIN} split reads the
 * windows before it, the {@code EVAL} split the windows inside it. The corpus is tokenised once per
 * process ({@link TokenStreams}) and shared by both splits; reading an example is an array copy.
 */
public final class PackedLmSource extends CorpusWindowSource<PackedLmSource> {
    /** The tokenizer; it needs an end-of-sequence id. GPT-2's byte-level BPE by default. */
    private Tokenizer.Config<?> tokenizer = Gpt2BpeTokenizer.gpt2();

    /**
     * A regular expression ({@link Pattern}) between documents; empty documents are dropped. By
     * default one or more blank lines.
     */
    private String documentSeparator = "\\n\\s*\\n";

    /** Whether examples carry segment ids and in-document positions (see the class comment). */
    private boolean segmentIds;

    /** Sets the tokenizer (copied). */
    public PackedLmSource tokenizer(Tokenizer.Config<?> v) {
        return set(() -> tokenizer = v.copy());
    }

    /** Sets the document separator pattern. */
    public PackedLmSource documentSeparator(String v) {
        return set(() -> documentSeparator = v);
    }

    /** Sets whether examples carry segment ids and positions. */
    public PackedLmSource segmentIds(boolean v) {
        return set(() -> segmentIds = v);
    }

    /** The tokenizer config. */
    public Tokenizer.Config<?> tokenizer() {
        return tokenizer;
    }

    @Override
    protected void validate() {
        super.validate();
        separator();
    }

    private Pattern separator() {
        try {
            return Pattern.compile(documentSeparator);
        } catch (PatternSyntaxException e) {
            throw invalid(
                    "documentSeparator",
                    "is not a regular expression: "
                            + e.getDescription()
                            + " near index "
                            + e.getIndex());
        }
    }

    @Override
    protected ExampleSource create() {
        String tokenizerPath = ConfigPath.child(path(), "tokenizer");
        Tokenizer tok = tokenizer.instantiateAt(tokenizerPath);
        OptionalInt eos = tok.eosId();
        if (eos.isEmpty()) {
            throw invalid(
                    "tokenizer",
                    "has no end-of-sequence id to join documents with; give it one (for"
                            + " text/ByteTokenizer: eosId)");
        }
        int[] ids =
                TokenStreams.of(
                        corpus(),
                        ConfigPath.child(path(), "path"),
                        tokenizer,
                        tok,
                        separator(),
                        eos);
        int from = splitFrom(ids.length);
        int to = splitTo(ids.length);
        int seqLen = seqLen();
        if (to - from < seqLen + 1) {
            throw splitTooShort(
                    to - from,
                    ids.length,
                    "tokens",
                    "one example needs seqLen + 1 = " + (seqLen + 1));
        }
        long count = (to - from - 1) / seqLen;
        return new Windows(ids, from, count, seqLen, eos.getAsInt(), segmentIds, split());
    }

    /** The examples of one split. */
    private record Windows(
            int[] ids,
            int from,
            long count,
            int seqLen,
            int eosId,
            boolean segmentIds,
            ByteTextSource.Split split)
            implements ExampleSource {
        @Override
        public long size() {
            return count;
        }

        @Override
        public Example get(long index) {
            int start = from + (int) index * seqLen;
            int[] inputs = new int[seqLen];
            int[] targets = new int[seqLen];
            System.arraycopy(ids, start, inputs, 0, seqLen);
            System.arraycopy(ids, start + 1, targets, 0, seqLen);
            Map<String, Object> features = new HashMap<>(4);
            features.put(CausalLm.INPUTS, inputs);
            features.put(CausalLm.TARGETS, targets);
            if (segmentIds) {
                int[] segments = new int[seqLen];
                int[] positions = new int[seqLen];
                int segment = 1;
                int position = 0;
                for (int t = 0; t < seqLen; t++) {
                    if (t > 0 && inputs[t] == eosId) {
                        segment++;
                        position = 0;
                    }
                    segments[t] = segment;
                    positions[t] = position++;
                }
                features.put(CausalLm.SEGMENT_IDS, segments);
                features.put(CausalLm.POSITIONS, positions);
            }
            return Example.of(features);
        }

        @Override
        public String toString() {
            return "PackedLmSource(" + split + ", " + count + " windows of " + (seqLen + 1) + ")";
        }
    }
}

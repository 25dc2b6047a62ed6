package io.axlearn.text.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.ExampleSource;

/**
 * The fields shared by the sources that cut one text corpus into fixed windows ({@link
 * ByteTextSource}, {@link TokenWindowSource}, {@link PackedLmSource}): where the corpus is, how
 * long a window is, and which split to read, the last {@code evalFraction} of the corpus being held
 * out for evaluation (see {@link ByteTextSource.Split}).
 *
 * @param <S> the concrete source config, returned by the setters
 */
public abstract class CorpusWindowSource<S extends CorpusWindowSource<S>>
        extends ExampleSource.Config<S> {

    /**
     * The corpus: a text file, a folder of text files, or {@code classpath:resource}; {@code .gz}
     * files are decompressed (see {@link TextFiles}).
     */
    @Required private String path;

    /** Length of an example in the source's unit (bytes or token ids): the model's context. */
    @Required private Integer seqLen;

    /** Which part of the corpus to read. */
    private ByteTextSource.Split split = ByteTextSource.Split.TRAIN;

    /** Fraction of the corpus (from its end) held out for evaluation, in (0, 1). */
    private double evalFraction = 0.02;

    /** Sets the corpus location. */
    public S path(String v) {
        return set(() -> path = v);
    }

    /** Sets the example length. */
    public S seqLen(int v) {
        return set(() -> seqLen = v);
    }

    /** Sets the split. */
    public S split(ByteTextSource.Split v) {
        return set(() -> split = v);
    }

    /** Sets the held-out fraction. */
    public S evalFraction(double v) {
        return set(() -> evalFraction = v);
    }

    /** The corpus location. */
    protected final String corpus() {
        return path;
    }

    /** The example length. */
    protected final int seqLen() {
        return seqLen;
    }

    /** The split read. */
    protected final ByteTextSource.Split split() {
        return split;
    }

    /** The first item of {@code length} that this split reads. */
    protected final int splitFrom(int length) {
        return split.from(length, evalFraction);
    }

    /** The end (exclusive) of what this split reads of {@code length} items. */
    protected final int splitTo(int length) {
        return split.to(length, evalFraction);
    }

    /** Subclasses that override this call {@code super.validate()} first. */
    @Override
    protected void validate() {
        if (seqLen <= 0) {
            throw invalid("seqLen", "must be positive, got " + seqLen);
        }
        if (!(evalFraction > 0 && evalFraction < 1)) {
            throw invalid("evalFraction", "must be in (0, 1), got " + evalFraction);
        }
    }

    /**
     * The error for a split too short for one example: "seqLen is 128, but the EVAL split of
     * corpus.txt has 90 of its 4500 bytes; {@code need}".
     *
     * @param have items in the split
     * @param total items in the corpus
     * @param unit what an item is ("bytes", "ids", "tokens")
     * @param need what one example needs, said in full
     */
    protected final ConfigException splitTooShort(int have, int total, String unit, String need) {
        return invalid(
                "seqLen",
                "is "
                        + seqLen
                        + ", but the "
                        + split
                        + " split of "
                        + path
                        + " has "
                        + have
                        + " of its "
                        + total
                        + " "
                        + unit
                        + "; "
                        + need);
    }
}

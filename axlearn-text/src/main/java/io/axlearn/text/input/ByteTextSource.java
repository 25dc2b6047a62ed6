package io.axlearn.text.input;

import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Required;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import java.util.Map;

/**
 * Byte-level language-modelling examples from a text corpus: the corpus is cut into consecutive,
 * non-overlapping windows of {@code seqLen + 1} bytes; example {@code i} has {@code inputs} (bytes
 * {@code 0..seqLen-1} of window {@code i}) and {@code targets} (bytes {@code 1..seqLen}), each an
 * {@code int[seqLen]} of values 0-255.
 *
 * <p>The last {@code evalFraction} of the corpus is held out: the {@code TRAIN} split reads the
 * windows before it, the {@code EVAL} split the windows inside it.
 */
public final class ByteTextSource extends ExampleSource.Config<ByteTextSource> {
    /** Which part of the corpus a source reads. */
    public enum Split {
        /** Everything before the held-out tail. */
        TRAIN,
        /** The held-out tail. */
        EVAL;

        /**
         * The first item this split reads of {@code length} items whose last {@code evalFraction}
         * is held out.
         */
        public int from(int length, double evalFraction) {
            return this == TRAIN ? 0 : evalStart(length, evalFraction);
        }

        /** The end (exclusive) of what this split reads; see {@link #from}. */
        public int to(int length, double evalFraction) {
            return this == TRAIN ? evalStart(length, evalFraction) : length;
        }

        private static int evalStart(int length, double evalFraction) {
            return (int) Math.round(length * (1 - evalFraction));
        }
    }

    /** Name of the input feature. */
    public static final String INPUTS = "inputs";

    /** Name of the target feature. */
    public static final String TARGETS = "targets";

    /**
     * The corpus: a text file, a folder of text files, or {@code classpath:resource}; {@code .gz}
     * files are decompressed.
     */
    @Required private String path;

    /** Bytes per example (the model's context length). */
    @Required private Integer seqLen;

    /** Which part of the corpus to read. */
    private Split split = Split.TRAIN;

    /** Fraction of the corpus (from its end) held out for evaluation, in (0, 1). */
    private double evalFraction = 0.02;

    /** Sets the corpus location. */
    public ByteTextSource path(String v) {
        return set(() -> path = v);
    }

    /** Sets the bytes per example. */
    public ByteTextSource seqLen(int v) {
        return set(() -> seqLen = v);
    }

    /** Sets the split. */
    public ByteTextSource split(Split v) {
        return set(() -> split = v);
    }

    /** Sets the held-out fraction. */
    public ByteTextSource evalFraction(double v) {
        return set(() -> evalFraction = v);
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
        byte[] corpus = TextFiles.read(path, ConfigPath.child(path(), "path"));
        int from = split.from(corpus.length, evalFraction);
        int to = split.to(corpus.length, evalFraction);
        int window = seqLen + 1;
        if (corpus.length == 0) {
            throw invalid("path", "names an empty corpus: " + path);
        }
        if (to - from < window) {
            throw invalid(
                    "seqLen",
                    "is "
                            + seqLen
                            + ", but the "
                            + split
                            + " split of "
                            + path
                            + " has "
                            + (to - from)
                            + " of its "
                            + corpus.length
                            + " bytes; one example needs seqLen + 1 = "
                            + window);
        }
        long count = (to - from - 1) / seqLen;
        int len = seqLen;
        return new ExampleSource() {
            @Override
            public long size() {
                return count;
            }

            @Override
            public Example get(long index) {
                int start = from + (int) index * len;
                int[] inputs = new int[len];
                int[] targets = new int[len];
                for (int i = 0; i < len; i++) {
                    inputs[i] = corpus[start + i] & 0xff;
                    targets[i] = corpus[start + i + 1] & 0xff;
                }
                return Example.of(Map.of(INPUTS, inputs, TARGETS, targets));
            }

            @Override
            public String toString() {
                return "ByteTextSource("
                        + split
                        + ", "
                        + count
                        + " windows of "
                        + window
                        + " bytes)";
            }
        };
    }
}

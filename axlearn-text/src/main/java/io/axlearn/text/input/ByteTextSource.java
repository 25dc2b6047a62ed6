package io.axlearn.text.input;

import io.axlearn.core.config.ConfigPath;
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
public final class ByteTextSource extends CorpusWindowSource<ByteTextSource> {
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

    @Override
    protected ExampleSource create() {
        byte[] corpus = TextFiles.read(corpus(), ConfigPath.child(path(), "path"));
        int from = splitFrom(corpus.length);
        int to = splitTo(corpus.length);
        int window = seqLen() + 1;
        if (corpus.length == 0) {
            throw invalid("path", "names an empty corpus: " + corpus());
        }
        if (to - from < window) {
            throw splitTooShort(
                    to - from, corpus.length, "bytes", "one example needs seqLen + 1 = " + window);
        }
        long count = (to - from - 1) / seqLen();
        int len = seqLen();
        ByteTextSource.Split split = split();
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

package io.axlearn.audio.input;

import io.axlearn.core.config.FunctionConfig;
import io.axlearn.core.config.Required;
import java.util.Locale;

/**
 * Characters of transcripts and their ids for a CTC model: id 0 is the CTC blank, id {@code i + 1}
 * is the {@code i}-th character of {@code alphabet}. Transcripts are lower-cased first when {@code
 * lowercase} is set.
 */
public final class CharVocab {

    /** Config of {@link CharVocab}. */
    public static final class Config extends FunctionConfig<Config, CharVocab> {
        /** The characters in id order (from id 1); each at most once. */
        @Required private String alphabet;

        /** Lower-case transcripts before encoding. */
        private boolean lowercase = true;

        /** Sets the alphabet. */
        public Config alphabet(String v) {
            return set(() -> alphabet = v);
        }

        /** Sets whether transcripts are lower-cased. */
        public Config lowercase(boolean v) {
            return set(() -> lowercase = v);
        }

        @Override
        protected void validate() {
            if (alphabet.isEmpty()) {
                throw invalid("alphabet", "must not be empty");
            }
            for (int i = 0; i < alphabet.length(); i++) {
                if (alphabet.indexOf(alphabet.charAt(i)) != i) {
                    throw invalid("alphabet", "holds '" + alphabet.charAt(i) + "' more than once");
                }
            }
        }

        @Override
        protected CharVocab create() {
            return new CharVocab(alphabet, lowercase);
        }
    }

    /** A new config. */
    public static Config config() {
        return new Config();
    }

    /** Id of the CTC blank. */
    public static final int BLANK = 0;

    private final String alphabet;
    private final boolean lowercase;

    private CharVocab(String alphabet, boolean lowercase) {
        this.alphabet = alphabet;
        this.lowercase = lowercase;
    }

    /** Number of ids including the blank. */
    public int size() {
        return alphabet.length() + 1;
    }

    /** The transcript normalised as {@link #encode} sees it. */
    public String normalize(String text) {
        return lowercase ? text.toLowerCase(Locale.ROOT) : text;
    }

    /**
     * The ids of {@code text}.
     *
     * @throws IllegalArgumentException naming the first character outside the alphabet
     */
    public int[] encode(String text) {
        String t = normalize(text);
        int[] ids = new int[t.length()];
        for (int i = 0; i < t.length(); i++) {
            int k = alphabet.indexOf(t.charAt(i));
            if (k < 0) {
                throw new IllegalArgumentException(
                        "character '"
                                + t.charAt(i)
                                + "' at "
                                + i
                                + " of \""
                                + text
                                + "\" is not in the alphabet \""
                                + alphabet
                                + "\"");
            }
            ids[i] = k + 1;
        }
        return ids;
    }

    /** The text of {@code ids}; the blank and out-of-range ids are skipped. */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            if (id > 0 && id <= alphabet.length()) {
                sb.append(alphabet.charAt(id - 1));
            }
        }
        return sb.toString();
    }
}

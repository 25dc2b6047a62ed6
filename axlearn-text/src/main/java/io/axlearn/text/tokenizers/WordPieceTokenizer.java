package io.axlearn.text.tokenizers;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.Required;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * BERT's WordPiece tokenizer over a {@code vocab.txt} (one token per line, line {@code i} from 0 is
 * id {@code i}; a continuation piece starts with {@code ##}).
 *
 * <p>Encoding runs BERT's basic tokenizer, then WordPiece on each word:
 *
 * <ol>
 *   <li>clean: drop NUL, U+FFFD and control characters, turn every whitespace into a space;
 *   <li>put spaces around CJK ideographs, so each is a word;
 *   <li>strip accents (decompose, drop non-spacing marks) and lower-case, when configured;
 *   <li>split on whitespace, and split every punctuation character off as its own word;
 *   <li>WordPiece: greedy longest-match-first from the start of each word, continuations looked up
 *       with the {@code ##} prefix; a word with no full segmentation, or longer than {@code
 *       maxInputCharsPerWord} code points, becomes the single {@code [UNK]}.
 * </ol>
 *
 * <p>{@link #encode(String, boolean)} with special tokens gives {@code [CLS] ... [SEP]}. Decoding
 * joins pieces with spaces, glues {@code ##} continuations to the piece before and removes the
 * space before {@code . , ! ?}; so decoding reproduces the normalised text up to spacing around
 * other punctuation. Presets: {@link #bertBaseUncased()}.
 */
public final class WordPieceTokenizer extends Configurable implements Tokenizer {

    /** Class path of the bundled BERT base uncased vocabulary (30,522 tokens, Apache-2.0). */
    public static final String BERT_BASE_UNCASED_VOCAB =
            "classpath:io/axlearn/text/tokenizers/bert-base-uncased/vocab.txt";

    /** Config of {@link WordPieceTokenizer}. */
    public static final class Config extends Tokenizer.Config<Config> {
        /**
         * The {@code vocab.txt}: a file path or {@code classpath:resource} ({@code .gz} read too).
         */
        @Required private String vocab;

        /** Whether to lower-case the text (an "uncased" vocabulary). */
        private boolean lowerCase = true;

        /** Whether to strip accents; {@code null} follows {@code lowerCase}, as in BERT. */
        private Boolean stripAccents;

        /** Whether each CJK ideograph is a word of its own. */
        private boolean tokenizeChineseChars = true;

        /** Words longer than this many code points become {@code unkToken}; positive. */
        private int maxInputCharsPerWord = 100;

        /** Prefix of continuation pieces in the vocabulary; not empty. */
        private String continuationPrefix = "##";

        /** The token of unknown words; must be in the vocabulary. */
        private String unkToken = "[UNK]";

        /** The token put before a sequence with special tokens; must be in the vocabulary. */
        private String clsToken = "[CLS]";

        /**
         * The token put after a sequence with special tokens, also the end-of-sequence id; must be
         * in the vocabulary.
         */
        private String sepToken = "[SEP]";

        /** The token that pads batches; must be in the vocabulary. */
        private String padToken = "[PAD]";

        /** Sets the vocabulary location. */
        public Config vocab(String v) {
            return set(() -> vocab = v);
        }

        /** Sets whether to lower-case. */
        public Config lowerCase(boolean v) {
            return set(() -> lowerCase = v);
        }

        /** Sets whether to strip accents ({@code null}: as {@code lowerCase}). */
        public Config stripAccents(Boolean v) {
            return set(() -> stripAccents = v);
        }

        /** Sets whether CJK ideographs are single words. */
        public Config tokenizeChineseChars(boolean v) {
            return set(() -> tokenizeChineseChars = v);
        }

        /** Sets the longest word, in code points, that is not {@code [UNK]}. */
        public Config maxInputCharsPerWord(int v) {
            return set(() -> maxInputCharsPerWord = v);
        }

        /** Sets the continuation prefix. */
        public Config continuationPrefix(String v) {
            return set(() -> continuationPrefix = v);
        }

        /** Sets the unknown-word token. */
        public Config unkToken(String v) {
            return set(() -> unkToken = v);
        }

        /** Sets the start token. */
        public Config clsToken(String v) {
            return set(() -> clsToken = v);
        }

        /** Sets the end token. */
        public Config sepToken(String v) {
            return set(() -> sepToken = v);
        }

        /** Sets the padding token. */
        public Config padToken(String v) {
            return set(() -> padToken = v);
        }

        @Override
        protected void validate() {
            if (maxInputCharsPerWord <= 0) {
                throw invalid(
                        "maxInputCharsPerWord", "must be positive, got " + maxInputCharsPerWord);
            }
            if (continuationPrefix == null || continuationPrefix.isEmpty()) {
                throw invalid("continuationPrefix", "must not be empty");
            }
        }

        @Override
        protected WordPieceTokenizer create() {
            return new WordPieceTokenizer(this);
        }
    }

    /** A new config; {@code vocab} is required. */
    public static Config config() {
        return new Config();
    }

    /** BERT base uncased: the bundled 30,522-token vocabulary, lower-casing, accent stripping. */
    public static Config bertBaseUncased() {
        return config().vocab(BERT_BASE_UNCASED_VOCAB);
    }

    private final Config cfg;
    private final String[] tokens;
    private final Map<String, Integer> starts = new HashMap<>();
    private final Map<String, Integer> continuations = new HashMap<>();
    private final boolean stripAccents;
    private final int unkId;
    private final int clsId;
    private final int sepId;
    private final int padId;

    private WordPieceTokenizer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        String where = ConfigPath.child(cfg.path(), "vocab");
        this.tokens = readVocab(cfg.vocab, where);
        for (int id = 0; id < tokens.length; id++) {
            String t = tokens[id];
            if (t.startsWith(cfg.continuationPrefix)
                    && t.length() > cfg.continuationPrefix.length()) {
                continuations.put(t.substring(cfg.continuationPrefix.length()), id);
            }
            starts.put(t, id);
        }
        this.stripAccents = cfg.stripAccents == null ? cfg.lowerCase : cfg.stripAccents;
        this.unkId = special(cfg.unkToken, "unkToken");
        this.clsId = special(cfg.clsToken, "clsToken");
        this.sepId = special(cfg.sepToken, "sepToken");
        this.padId = special(cfg.padToken, "padToken");
    }

    /** The lines of {@code vocab.txt}; an empty or repeated token is an error naming its line. */
    private static String[] readVocab(String location, String where) {
        String text = TokenizerFiles.text(location, where);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1); // the newline that ends the last line
        }
        Map<String, Integer> seen = new HashMap<>();
        String[] out = new String[lines.size()];
        for (int i = 0; i < out.length; i++) {
            String t = lines.get(i);
            if (t.endsWith("\r")) {
                t = t.substring(0, t.length() - 1);
            }
            if (t.isEmpty()) {
                throw TokenizerFiles.badLine(where, location, i + 1, "empty token");
            }
            Integer before = seen.putIfAbsent(t, i + 1);
            if (before != null) {
                throw TokenizerFiles.badLine(
                        where, location, i + 1, "token '" + t + "' repeats line " + before);
            }
            out[i] = t;
        }
        if (out.length == 0) {
            throw new ConfigException(where + ": " + location + " is empty");
        }
        return out;
    }

    private int special(String token, String field) {
        return TokenizerFiles.requireToken(
                starts, token, ConfigPath.child(cfg.path(), field), cfg.vocab);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public OptionalInt eosId() {
        return OptionalInt.of(sepId);
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = starts.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public int[] specialPrefix() {
        return new int[] {clsId};
    }

    @Override
    public int[] specialSuffix() {
        return new int[] {sepId};
    }

    /** The vocabulary entry of {@code id} (continuations with their {@code ##}). */
    public String token(int id) {
        checkId(id, 0);
        return tokens[id];
    }

    @Override
    public int[] encode(String text) {
        IntList ids = new IntList(text.length() / 3 + 4);
        StringBuilder word = new StringBuilder(32);
        String normal = normalize(text);
        for (int i = 0; i < normal.length(); ) {
            int cp = normal.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == ' ' || isWhitespace(cp)) {
                wordPiece(word, ids);
            } else if (isPunctuation(cp)) {
                wordPiece(word, ids);
                word.appendCodePoint(cp);
                wordPiece(word, ids);
            } else {
                word.appendCodePoint(cp);
            }
        }
        wordPiece(word, ids);
        return ids.toArray();
    }

    /** Steps 1-3: cleaning, CJK spacing, accent stripping and lower-casing. */
    private String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                continue;
            }
            if (isWhitespace(cp)) {
                out.append(' ');
            } else if (cp < 0x80) {
                out.append((char) (cfg.lowerCase ? Character.toLowerCase(cp) : cp));
            } else if (cfg.tokenizeChineseChars && isCjk(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                String s = Character.toString(cp);
                if (stripAccents) {
                    s = Normalizer.normalize(s, Normalizer.Form.NFD);
                }
                for (int j = 0; j < s.length(); ) {
                    int c = s.codePointAt(j);
                    j += Character.charCount(c);
                    if (stripAccents && Character.getType(c) == Character.NON_SPACING_MARK) {
                        continue;
                    }
                    if (cfg.lowerCase) {
                        // The full mapping, as the Rust library's char::to_lowercase: 'İ' is
                        // "i" plus a combining dot when accents are kept.
                        out.append(Character.toString(c).toLowerCase(Locale.ROOT));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Step 5 on the word in {@code word} (then emptied); nothing for an empty word. */
    private void wordPiece(StringBuilder word, IntList ids) {
        if (word.length() == 0) {
            return;
        }
        String w = word.toString();
        word.setLength(0);
        if (w.codePointCount(0, w.length()) > cfg.maxInputCharsPerWord) {
            ids.add(unkId);
            return;
        }
        int mark = ids.size();
        int start = 0;
        while (start < w.length()) {
            Map<String, Integer> pieces = start == 0 ? starts : continuations;
            int end = w.length();
            Integer id = null;
            while (end > start) {
                id = pieces.get(w.substring(start, end));
                if (id != null) {
                    break;
                }
                end = w.offsetByCodePoints(end, -1);
            }
            if (id == null) {
                ids.truncate(mark);
                ids.add(unkId);
                return;
            }
            ids.add(id);
            start = end;
        }
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder(ids.length * 4);
        String prefix = cfg.continuationPrefix;
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], i);
            String t = tokens[ids[i]];
            if (i == 0) {
                out.append(t);
            } else if (t.startsWith(prefix)) {
                out.append(t, prefix.length(), t.length());
            } else if (t.length() == 1 && ".,!?".indexOf(t.charAt(0)) >= 0) {
                out.append(t);
            } else {
                out.append(' ').append(t);
            }
        }
        return out.toString();
    }

    private void checkId(int id, int at) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException(
                    "id " + id + " at " + at + " is not in [0, " + tokens.length + ") (WordPiece)");
        }
    }

    private static boolean isWhitespace(int cp) {
        return cp == ' '
                || cp == '\t'
                || cp == '\n'
                || cp == '\r'
                || cp == 0x85
                || Character.isWhitespace(cp)
                || Character.isSpaceChar(cp);
    }

    /** Unicode "other" categories, except the tab and newlines (they are whitespace). */
    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL
                || type == Character.FORMAT
                || type == Character.PRIVATE_USE
                || type == Character.SURROGATE
                || type == Character.UNASSIGNED;
    }

    /** ASCII symbols (BERT splits {@code $ + < = > ^ ` | ~} too) and Unicode punctuation. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47)
                || (cp >= 58 && cp <= 64)
                || (cp >= 91 && cp <= 96)
                || (cp >= 123 && cp <= 126)) {
            return true;
        }
        if (cp < 0x80) {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONNECTOR_PUNCTUATION
                || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION
                || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION
                || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    /**
     * The CJK Unified Ideographs blocks (not Hangul, Hiragana or Katakana), as BERT defines them.
     */
    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}

package io.axlearn.text.tokenizers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.Required;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level BPE (<a
 * href="https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf">Radford
 * et al. 2019</a>) over a vocabulary ({@code encoder.json} / {@code vocab.json}: token to id) and
 * ranked merges ({@code vocab.bpe} / {@code merges.txt}: one pair per line, best first).
 *
 * <p>Encoding: the text is split by GPT-2's pattern (contractions, runs of letters or digits or
 * other symbols with one optional leading space, and whitespace); each piece's UTF-8 bytes are
 * written as vocabulary characters by GPT-2's byte-to-unicode map (printable bytes stand for
 * themselves, the others for U+0100 onwards), and then the adjacent pair with the best merge rank
 * is merged, all its occurrences left to right, until no pair has a merge. Every byte is a token,
 * so no text is unknown and {@code decode(encode(s)).equals(s)} for every string. Text that spells
 * a special token ({@code <|endoftext|>}) is encoded as plain text, never as the special id.
 *
 * <p>Presets: {@link #gpt2()} (the bundled GPT-2 files, 50,257 ids, EOS 50256).
 */
public final class Gpt2BpeTokenizer extends Configurable implements Tokenizer {

    /** Class-path folder of the bundled GPT-2 vocabulary and merges (MIT). */
    public static final String GPT2_FILES = "classpath:io/axlearn/text/tokenizers/gpt2/";

    /** GPT-2's pre-tokenization pattern; {@code \s} is Unicode whitespace. */
    private static final Pattern PIECES =
            Pattern.compile(
                    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                    Pattern.UNICODE_CHARACTER_CLASS);

    /** Pieces whose merges are remembered before the cache is cleared. */
    private static final int CACHE_LIMIT = 200_000;

    /** Config of {@link Gpt2BpeTokenizer}. */
    public static final class Config extends Tokenizer.Config<Config> {
        /** The vocabulary, a JSON object of token to id: a file path or {@code classpath:...}. */
        @Required private String vocab;

        /** The merges, {@code "a b"} per line, best first (a {@code #version} line is skipped). */
        @Required private String merges;

        /** The end-of-sequence token, or {@code null} for none; must be in the vocabulary. */
        private String eosToken = "<|endoftext|>";

        /** Sets the vocabulary location. */
        public Config vocab(String v) {
            return set(() -> vocab = v);
        }

        /** Sets the merges location. */
        public Config merges(String v) {
            return set(() -> merges = v);
        }

        /** Sets the end-of-sequence token ({@code null}: none). */
        public Config eosToken(String v) {
            return set(() -> eosToken = v);
        }

        @Override
        protected Gpt2BpeTokenizer create() {
            return new Gpt2BpeTokenizer(this);
        }
    }

    /** A new config; {@code vocab} and {@code merges} are required. */
    public static Config config() {
        return new Config();
    }

    /** GPT-2: the bundled {@code encoder.json} and {@code vocab.bpe}, EOS {@code <|endoftext|>}. */
    public static Config gpt2() {
        return config().vocab(GPT2_FILES + "encoder.json").merges(GPT2_FILES + "vocab.bpe");
    }

    private final Config cfg;
    private final Map<String, Integer> ids;
    private final byte[][] tokenBytes;
    private final int[] byteIds = new int[256];

    /** (left id, right id) to (rank, merged id), packed into longs. */
    private final LongLongMap mergeTable;

    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final int eosId;

    private Gpt2BpeTokenizer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        String vocabPath = ConfigPath.child(cfg.path(), "vocab");
        this.ids = readVocab(cfg.vocab, vocabPath);
        Map.Entry<String, Integer> top =
                ids.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        if (top.getValue() >= ids.size()) { // ids are distinct, so one in 0..size-1 is missing
            throw new ConfigException(
                    vocabPath
                            + ": "
                            + cfg.vocab
                            + " has "
                            + ids.size()
                            + " tokens, so ids must be 0.."
                            + (ids.size() - 1)
                            + ", but '"
                            + top.getKey()
                            + "' has id "
                            + top.getValue());
        }
        this.tokenBytes = new byte[ids.size()][];
        char[] byteChars = byteToUnicode();
        Map<Character, Integer> charBytes = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            charBytes.put(byteChars[b], b);
            Integer id = ids.get(String.valueOf(byteChars[b]));
            if (id == null) {
                throw new ConfigException(
                        vocabPath
                                + ": "
                                + cfg.vocab
                                + " has no token for byte "
                                + b
                                + " ('"
                                + byteChars[b]
                                + "'); not a byte-level BPE vocabulary");
            }
            byteIds[b] = id;
        }
        ids.forEach((token, id) -> tokenBytes[id] = toBytes(token, charBytes));
        this.mergeTable = readMerges(cfg.merges, ConfigPath.child(cfg.path(), "merges"));
        if (cfg.eosToken == null) {
            this.eosId = -1;
        } else {
            this.eosId =
                    TokenizerFiles.requireToken(
                            ids, cfg.eosToken, ConfigPath.child(cfg.path(), "eosToken"), cfg.vocab);
        }
    }

    /**
     * GPT-2's reversible map from bytes to characters that are neither whitespace nor control:
     * {@code !..~}, {@code ¡..¬} and {@code ®..ÿ} stand for themselves, the other 68 bytes for
     * U+0100 onwards in byte order.
     */
    static char[] byteToUnicode() {
        char[] out = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            out[b] = (char) (printable ? b : next++);
        }
        return out;
    }

    private static byte[] toBytes(String token, Map<Character, Integer> charBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            Integer b = cp <= Character.MAX_VALUE ? charBytes.get((char) cp) : null;
            if (b != null) {
                out.write(b);
            } else { // not a byte character (a special token written in plain Unicode)
                byte[] utf8 = Character.toString(cp).getBytes(StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
            }
        }
        return out.toByteArray();
    }

    /** The JSON object of token to id; errors name the line and column. */
    private static Map<String, Integer> readVocab(String location, String where) {
        byte[] bytes = TokenizerFiles.bytes(location, where);
        Map<String, Integer> out = new HashMap<>(bytes.length / 12);
        Map<Integer, String> byId = new HashMap<>(bytes.length / 12);
        try (JsonParser p = new JsonFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw badJson(where, location, p, "expected a JSON object of token to id");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String token = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT
                        || p.getLongValue() < 0
                        || p.getLongValue() > Integer.MAX_VALUE) {
                    throw badJson(where, location, p, "id of '" + token + "' is not an id");
                }
                int id = p.getIntValue();
                if (out.put(token, id) != null) {
                    throw badJson(where, location, p, "token '" + token + "' repeats");
                }
                String other = byId.put(id, token);
                if (other != null) {
                    throw badJson(
                            where,
                            location,
                            p,
                            "id " + id + " of '" + token + "' is also the id of '" + other + "'");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw badJson(where, location, p, "expected the end of the object");
            }
        } catch (JsonProcessingException e) {
            throw TokenizerFiles.malformedJson(where, location, e);
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot read " + location + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new ConfigException(where + ": " + location + " has no tokens");
        }
        return out;
    }

    private static ConfigException badJson(
            String where, String location, JsonParser p, String problem) {
        return new ConfigException(
                where
                        + ": "
                        + location
                        + " line "
                        + p.currentTokenLocation().getLineNr()
                        + " column "
                        + p.currentTokenLocation().getColumnNr()
                        + ": "
                        + problem);
    }

    /** The ranked merges; a line that is not two known tokens whose join is known is an error. */
    private LongLongMap readMerges(String location, String where) {
        String[] lines = TokenizerFiles.text(location, where).split("\n", -1);
        LongLongMap out = new LongLongMap(lines.length);
        int rank = 0;
        for (int i = 0; i < lines.length; i++) {
            String line =
                    lines[i].endsWith("\r")
                            ? lines[i].substring(0, lines[i].length() - 1)
                            : lines[i];
            if ((i == 0 && line.startsWith("#version"))
                    || (line.isEmpty() && i == lines.length - 1)) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw TokenizerFiles.badLine(
                        where,
                        location,
                        i + 1,
                        "expected two tokens separated by one space, got '" + line + "'");
            }
            String a = line.substring(0, space);
            String b = line.substring(space + 1);
            Integer left = ids.get(a);
            Integer right = ids.get(b);
            Integer merged = ids.get(a + b);
            if (left == null || right == null || merged == null) {
                String missing = left == null ? a : right == null ? b : a + b;
                throw TokenizerFiles.badLine(
                        where, location, i + 1, "'" + missing + "' is not in " + cfg.vocab);
            }
            long key = pair(left, right);
            if (!out.contains(key)) {
                out.put(key, ((long) rank << 32) | merged);
            }
            rank++;
        }
        return out;
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    public int vocabSize() {
        return tokenBytes.length;
    }

    @Override
    public OptionalInt eosId() {
        return eosId < 0 ? OptionalInt.empty() : OptionalInt.of(eosId);
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 4);
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            String piece = m.group();
            int[] cached = cache.get(piece);
            if (cached == null) {
                cached = bpe(piece.getBytes(StandardCharsets.UTF_8));
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(piece, cached);
            }
            out.addAll(cached);
        }
        return out.toArray();
    }

    /** Merges the byte tokens of one piece, best-ranked pair first, until no pair has a merge. */
    private int[] bpe(byte[] bytes) {
        int[] sym = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            sym[i] = byteIds[bytes[i] & 0xFF];
        }
        int n = sym.length;
        while (n > 1) {
            long best = Long.MAX_VALUE; // (rank, merged id) of the best pair
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                long v = mergeTable.get(pair(sym[i], sym[i + 1]), Long.MAX_VALUE);
                if (v < best) {
                    best = v;
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            int bestLeft = sym[at];
            int bestRight = sym[at + 1];
            int merged = (int) best;
            int w = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && sym[i] == bestLeft && sym[i + 1] == bestRight) {
                    sym[w++] = merged;
                    i += 2;
                } else {
                    sym[w++] = sym[i++];
                }
            }
            n = w;
        }
        return Arrays.copyOf(sym, n);
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tokenBytes.length) {
                throw new IllegalArgumentException(
                        "id "
                                + ids[i]
                                + " at "
                                + i
                                + " is not in [0, "
                                + tokenBytes.length
                                + ") (Gpt2Bpe)");
            }
            out.write(tokenBytes[ids[i]], 0, tokenBytes[ids[i]].length);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

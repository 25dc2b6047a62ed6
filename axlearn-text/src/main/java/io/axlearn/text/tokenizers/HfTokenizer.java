package io.axlearn.text.tokenizers;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigPath;
import io.axlearn.core.config.Configurable;
import io.axlearn.core.config.Required;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Any Hugging Face {@code tokenizer.json} (BPE, WordPiece, Unigram; its normalizer, pre-tokenizer,
 * post-processor and decoder), run by the Rust {@code tokenizers} library through DJL ({@code
 * ai.djl.huggingface:tokenizers}, whose jar carries the native library, so nothing is downloaded).
 *
 * <p>Presets {@link #gpt2()} and {@link #bertBaseUncased()} wrap the bundled vocabularies of {@link
 * Gpt2BpeTokenizer#gpt2()} and {@link WordPieceTokenizer#bertBaseUncased()} and give the same ids.
 * The special tokens are those of the file's post-processor (BERT: {@code [CLS] ... [SEP]}); the
 * file's own truncation and padding settings are not used ({@link #encodeBatch} does both).
 * Encoding in batches uses the library's parallel batch encoder. The native tokenizer is freed by
 * {@link #close()} or, failing that, when this object is collected.
 */
public final class HfTokenizer extends Configurable implements Tokenizer, AutoCloseable {

    /** Special tokens tried, in order, when {@code eosToken} is not set. */
    private static final List<String> EOS_GUESSES = List.of("<|endoftext|>", "</s>", "<eos>");

    /** Padding tokens tried, in order, when {@code padToken} is not set. */
    private static final List<String> PAD_GUESSES = List.of("[PAD]", "<pad>", "<|pad|>");

    /** Config of {@link HfTokenizer}. */
    public static final class Config extends Tokenizer.Config<Config> {
        /**
         * The {@code tokenizer.json}: a file path or {@code classpath:...} ({@code .gz} read too).
         */
        @Required private String path;

        /**
         * The end-of-sequence token; {@code null} takes the first of {@code <|endoftext|>}, {@code
         * </s>}, {@code <eos>} in the vocabulary, else none.
         */
        private String eosToken;

        /**
         * The padding token; {@code null} takes the first of {@code [PAD]}, {@code <pad>}, {@code
         * <|pad|>} in the vocabulary, else the end-of-sequence id, else 0.
         */
        private String padToken;

        /** Sets the {@code tokenizer.json} location. */
        public Config path(String v) {
            return set(() -> path = v);
        }

        /** Sets the end-of-sequence token ({@code null}: guess). */
        public Config eosToken(String v) {
            return set(() -> eosToken = v);
        }

        /** Sets the padding token ({@code null}: guess). */
        public Config padToken(String v) {
            return set(() -> padToken = v);
        }

        @Override
        protected HfTokenizer create() {
            return new HfTokenizer(this);
        }
    }

    /** A new config; {@code path} is required. */
    public static Config config() {
        return new Config();
    }

    /** GPT-2's bundled vocabulary and merges as a {@code tokenizer.json} (byte-level BPE). */
    public static Config gpt2() {
        return config().path("classpath:io/axlearn/text/tokenizers/gpt2/tokenizer.json.gz");
    }

    /** BERT base uncased's bundled vocabulary as a {@code tokenizer.json} (WordPiece). */
    public static Config bertBaseUncased() {
        return config().path(
                        "classpath:io/axlearn/text/tokenizers/bert-base-uncased/tokenizer.json.gz");
    }

    private final Config cfg;
    private final HuggingFaceTokenizer native_;
    private final Map<String, Integer> vocab;
    private final int vocabSize;
    private final int[] prefix;
    private final int[] suffix;
    private final OptionalInt eosId;
    private final int padId;

    private HfTokenizer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
        String where = ConfigPath.child(cfg.path(), "path");
        byte[] json = TokenizerFiles.bytes(cfg.path, where);
        this.vocab = readVocab(json, cfg.path, where);
        this.vocabSize = vocab.values().stream().mapToInt(i -> i).max().orElse(-1) + 1;
        try {
            this.native_ =
                    HuggingFaceTokenizer.newInstance(
                            new ByteArrayInputStream(json),
                            Map.of("padding", "false", "truncation", "false"));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(
                    where
                            + ": "
                            + cfg.path
                            + " is not a tokenizer.json the tokenizers library"
                            + " accepts: "
                            + e.getMessage());
        }
        Encoding probe = native_.encode("a", true, false);
        long[] ids = probe.getIds();
        long[] special = probe.getSpecialTokenMask();
        int first = 0;
        while (first < ids.length && special[first] == 1) {
            first++;
        }
        int last = ids.length;
        while (last > first && special[last - 1] == 1) {
            last--;
        }
        this.prefix = toInts(Arrays.copyOfRange(ids, 0, first));
        this.suffix = toInts(Arrays.copyOfRange(ids, last, ids.length));
        this.eosId =
                cfg.eosToken != null
                        ? OptionalInt.of(known(cfg.eosToken, "eosToken"))
                        : firstKnown(EOS_GUESSES);
        this.padId =
                cfg.padToken != null
                        ? known(cfg.padToken, "padToken")
                        : firstKnown(PAD_GUESSES).orElse(eosId.orElse(0));
    }

    /** Token to id of the model's vocabulary and the added tokens; errors name line and column. */
    private static Map<String, Integer> readVocab(byte[] json, String location, String where) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw TokenizerFiles.malformedJson(where, location, e);
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot read " + location + ": " + e.getMessage());
        }
        JsonNode model = root == null ? null : root.get("model");
        JsonNode v = model == null ? null : model.get("vocab");
        Map<String, Integer> out = new HashMap<>();
        if (v != null && v.isObject()) {
            v.properties().forEach(e -> out.put(e.getKey(), e.getValue().asInt()));
        } else if (v != null && v.isArray()) { // Unigram: [[piece, score], ...] in id order
            for (int i = 0; i < v.size(); i++) {
                out.put(v.get(i).path(0).asText(), i);
            }
        } else {
            throw new ConfigException(
                    where + ": " + location + " has no model.vocab; not a tokenizer.json");
        }
        for (JsonNode added : root.path("added_tokens")) {
            out.put(added.path("content").asText(), added.path("id").asInt());
        }
        return out;
    }

    private int known(String token, String field) {
        return TokenizerFiles.requireToken(
                vocab, token, ConfigPath.child(cfg.path(), field), cfg.path);
    }

    private OptionalInt firstKnown(List<String> tokens) {
        for (String t : tokens) {
            Integer id = vocab.get(t);
            if (id != null) {
                return OptionalInt.of(id);
            }
        }
        return OptionalInt.empty();
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalInt eosId() {
        return eosId;
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = vocab.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public int[] specialPrefix() {
        return prefix.clone();
    }

    @Override
    public int[] specialSuffix() {
        return suffix.clone();
    }

    @Override
    public int[] encode(String text) {
        return toInts(native_.encode(text, false, false).getIds());
    }

    @Override
    public int[][] encodeAll(List<String> texts) {
        Encoding[] encodings = native_.batchEncode(texts, false, false);
        int[][] out = new int[encodings.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = toInts(encodings[i].getIds());
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException(
                        "id " + ids[i] + " at " + i + " is not in [0, " + vocabSize + ") (Hf)");
            }
            longs[i] = ids[i];
        }
        return native_.decode(longs, false);
    }

    /** Frees the native tokenizer; this object must not be used afterwards. */
    @Override
    public void close() {
        native_.close();
    }
}

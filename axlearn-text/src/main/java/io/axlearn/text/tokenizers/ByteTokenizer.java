package io.axlearn.text.tokenizers;

import io.axlearn.core.config.Configurable;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Raw bytes: the UTF-8 bytes of the text are the ids ({@code vocabSize} 256), as in {@code
 * text.charlm}. Decoding replaces bytes that are not valid UTF-8 with U+FFFD.
 */
public final class ByteTokenizer extends Configurable implements Tokenizer {

    /** Config of {@link ByteTokenizer}. */
    public static final class Config extends Tokenizer.Config<Config> {
        /** The byte that ends a sequence, or {@code null} for none (plain text has none). */
        private Integer eosId;

        public Config eosId(Integer v) {
            return set(() -> eosId = v);
        }

        @Override
        protected void validate() {
            if (eosId != null && (eosId < 0 || eosId > 255)) {
                throw invalid("eosId", "must be a byte in [0, 255], got " + eosId);
            }
        }

        @Override
        protected ByteTokenizer create() {
            return new ByteTokenizer(this);
        }
    }

    /** A new config (no end-of-sequence byte). */
    public static Config config() {
        return new Config();
    }

    private final Config cfg;

    private ByteTokenizer(Config cfg) {
        super(cfg);
        this.cfg = cfg;
    }

    @Override
    public Config getConfig() {
        return cfg;
    }

    @Override
    public int vocabSize() {
        return 256;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        byte[] bytes = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] > 255) {
                throw new IllegalArgumentException(
                        "id " + ids[i] + " at " + i + " is not a byte (ByteTokenizer)");
            }
            bytes[i] = (byte) ids[i];
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public OptionalInt eosId() {
        return cfg.eosId == null ? OptionalInt.empty() : OptionalInt.of(cfg.eosId);
    }
}

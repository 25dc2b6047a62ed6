package io.axlearn.text.input;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import io.axlearn.text.tokenizers.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A text corpus as one stream of token ids, tokenised once per process: the corpus ({@link
 * TextFiles}) is split into pieces by a separator pattern, each piece is encoded without special
 * tokens, and the pieces' ids are concatenated, each optionally preceded by a start id. The sources
 * of this package that cut a corpus into windows share it ({@link TokenWindowSource}, {@link
 * PackedLmSource}), so the training and evaluation splits tokenise the corpus once.
 */
final class TokenStreams {
    private static final Map<String, int[]> CACHE = new ConcurrentHashMap<>();

    private TokenStreams() {}

    /**
     * The ids of the corpus at {@code location}.
     *
     * @param location a file, a folder or {@code classpath:...} ({@link TextFiles})
     * @param locationPath the config path that names {@code location}, for errors
     * @param tokenizerConfig the tokenizer's config, part of the cache key
     * @param tokenizer the tokenizer built from {@code tokenizerConfig}
     * @param separator the pattern between pieces (documents or lines); empty pieces are dropped
     * @param startId the id put before every piece, or empty for none
     * @return the ids, shared: do not modify
     */
    static int[] of(
            String location,
            String locationPath,
            Tokenizer.Config<?> tokenizerConfig,
            Tokenizer tokenizer,
            Pattern separator,
            OptionalInt startId) {
        String key =
                String.join(
                        "\n",
                        location,
                        ConfigJson.toJson(tokenizerConfig),
                        separator.pattern(),
                        String.valueOf(startId));
        return CACHE.computeIfAbsent(
                key,
                k -> {
                    byte[] bytes = TextFiles.read(location, locationPath);
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    List<String> pieces = new ArrayList<>();
                    for (String piece : separator.split(text)) {
                        if (!piece.isBlank()) {
                            pieces.add(piece);
                        }
                    }
                    int[][] encoded = tokenizer.encodeAll(pieces);
                    long total = 0;
                    for (int[] ids : encoded) {
                        total += ids.length + (startId.isPresent() ? 1 : 0);
                    }
                    if (total > Integer.MAX_VALUE - 8) {
                        throw new ConfigException(
                                locationPath
                                        + ": "
                                        + location
                                        + " has "
                                        + total
                                        + " tokens, more than one stream holds (2^31)");
                    }
                    int[] out = new int[(int) total];
                    int n = 0;
                    for (int[] ids : encoded) {
                        if (startId.isPresent()) {
                            out[n++] = startId.getAsInt();
                        }
                        System.arraycopy(ids, 0, out, n, ids.length);
                        n += ids.length;
                    }
                    return out;
                });
    }

    /**
     * The text ids a window of {@code seqLen} holds besides the tokenizer's special prefix and
     * suffix.
     *
     * @param tokenizer the tokenizer
     * @param seqLen ids per window, special tokens included
     * @param seqLenPath the config path of {@code seqLen}, for the error
     * @throws ConfigException if the special tokens leave no room
     */
    static int textIdsPerWindow(Tokenizer tokenizer, int seqLen, String seqLenPath) {
        int special = tokenizer.specialPrefix().length + tokenizer.specialSuffix().length;
        if (seqLen - special <= 0) {
            throw new ConfigException(
                    seqLenPath
                            + " is "
                            + seqLen
                            + ", but the tokenizer's special tokens alone take "
                            + special);
        }
        return seqLen - special;
    }
}

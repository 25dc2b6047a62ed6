package io.axlearn.text.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hugging Face path, and parity of our Java WordPiece and BPE with the Rust library on the same
 * vocabularies (tokenizer.json files written by tools/tokenizers/convert_npm.py).
 */
class HfTokenizerTest {
    private static final HfTokenizer HF_GPT2 = (HfTokenizer) HfTokenizer.gpt2().instantiate();
    private static final HfTokenizer HF_BERT =
            (HfTokenizer) HfTokenizer.bertBaseUncased().instantiate();

    @TempDir Path dir;

    @AfterAll
    static void close() {
        HF_GPT2.close();
        HF_BERT.close();
    }

    @Test
    void referenceSentence_matchesReferenceIds() {
        assertArrayEquals(
                new int[] {15496, 995, 11, 1312, 588, 36973, 13},
                HF_GPT2.encode(TokenizerTestData.HELLO, true));
        assertArrayEquals(
                new int[] {101, 7592, 2088, 1010, 1045, 2066, 13137, 20968, 1012, 102},
                HF_BERT.encode(TokenizerTestData.HELLO, true));
        assertArrayEquals(new int[] {101}, HF_BERT.specialPrefix());
        assertArrayEquals(new int[] {102}, HF_BERT.specialSuffix());
        assertArrayEquals(new int[0], HF_GPT2.specialPrefix());
        assertEquals(50257, HF_GPT2.vocabSize());
        assertEquals(30522, HF_BERT.vocabSize());
        assertEquals(OptionalInt.of(50256), HF_GPT2.eosId());
        assertEquals(50256, HF_GPT2.padId());
        assertEquals(OptionalInt.empty(), HF_BERT.eosId());
        assertEquals(0, HF_BERT.padId());
        assertEquals(
                TokenizerTestData.HELLO, HF_GPT2.decode(HF_GPT2.encode(TokenizerTestData.HELLO)));
    }

    @Test
    void javaBpe_equalsRustBpe_onKjvAndEdgeCases() {
        Tokenizer java = Gpt2BpeTokenizer.gpt2().instantiate();
        List<String> texts = texts();
        int[][] rust = HF_GPT2.encodeAll(texts);
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            String s = texts.get(i);
            assertArrayEquals(rust[i], java.encode(s), s);
            assertArrayEquals(rust[i], HF_GPT2.encode(s), "batch and single encoding agree: " + s);
            assertEquals(HF_GPT2.decode(rust[i]), java.decode(rust[i]), s);
            tokens += rust[i].length;
        }
        assertTrue(tokens > 5_000, tokens + " tokens compared");
    }

    @Test
    void javaWordPiece_equalsRustWordPiece_onKjvAndEdgeCases() {
        Tokenizer java = WordPieceTokenizer.bertBaseUncased().instantiate();
        List<String> texts = texts();
        int[][] rust = HF_BERT.encodeAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            String s = texts.get(i);
            assertArrayEquals(rust[i], java.encode(s), s);
            assertArrayEquals(HF_BERT.encode(s, true), java.encode(s, true), s);
            assertEquals(HF_BERT.decode(rust[i]), java.decode(rust[i]), s);
        }
    }

    @Test
    void javaWordPiece_lowerCasedWithAccentsKept_equalsRust() throws IOException {
        // BERT's normaliser with lowercase on and strip_accents off, which no bundled file uses:
        // lower-casing must take the full Unicode mapping ('İ' -> "i" + U+0307), as Rust does.
        String json =
                new String(
                                new java.util.zip.GZIPInputStream(
                                                HfTokenizerTest.class
                                                        .getClassLoader()
                                                        .getResourceAsStream(
                                                                "io/axlearn/text/tokenizers/bert-base-uncased/tokenizer.json.gz"))
                                        .readAllBytes(),
                                StandardCharsets.UTF_8)
                        .replace("\"strip_accents\": null", "\"strip_accents\": false");
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json);
        try (HfTokenizer rust =
                (HfTokenizer) HfTokenizer.config().path(file.toString()).instantiate()) {
            Tokenizer java = WordPieceTokenizer.bertBaseUncased().stripAccents(false).instantiate();
            for (String s : texts()) {
                assertArrayEquals(rust.encode(s), java.encode(s), s);
            }
        }
    }

    @Test
    void longText_isNotTruncated() {
        String text = String.join(" ", TokenizerTestData.kjvLines());
        int[] ids = HF_BERT.encode(text, true);
        assertTrue(ids.length > 5_000, ids.length + " ids");
        assertArrayEquals(
                WordPieceTokenizer.bertBaseUncased().instantiate().encode(text, true), ids);
    }

    @Test
    void config_roundTripsThroughJson() {
        HfTokenizer.Config cfg = HfTokenizer.bertBaseUncased().eosToken("[SEP]");
        String json = ConfigJson.toJson(cfg);
        assertTrue(json.contains("\"@type\" : \"text/HfTokenizer\""), json);
        HfTokenizer.Config back = ConfigJson.fromJson(json, HfTokenizer.Config.class);
        assertEquals(cfg, back);
        try (HfTokenizer t = (HfTokenizer) back.instantiate()) {
            assertEquals(OptionalInt.of(102), t.eosId());
        }
    }

    @Test
    void missingOrMalformedFile_isOneErrorNamingTheFile() throws IOException {
        String missing = dir.resolve("tokenizer.json").toString();
        assertEquals(
                "model.tokenizer.path: no such file or folder: " + missing,
                assertThrows(
                                ConfigException.class,
                                () ->
                                        HfTokenizer.config()
                                                .path(missing)
                                                .instantiateAt("model.tokenizer"))
                        .getMessage());
        Path truncated = dir.resolve("truncated.json");
        Files.writeString(
                truncated,
                "{\n  \"model\": {\n    \"vocab\": {\"a\": 0,\n",
                StandardCharsets.UTF_8);
        String m =
                assertThrows(
                                ConfigException.class,
                                () -> HfTokenizer.config().path(truncated.toString()).instantiate())
                        .getMessage();
        assertTrue(m.startsWith("path: " + truncated + " line 4 column 1: malformed JSON"), m);
        Path noModel = dir.resolve("nomodel.json");
        Files.writeString(noModel, "{\"version\": \"1.0\"}");
        assertEquals(
                "path: " + noModel + " has no model.vocab; not a tokenizer.json",
                assertThrows(
                                ConfigException.class,
                                () -> HfTokenizer.config().path(noModel.toString()).instantiate())
                        .getMessage());
        Path badType = dir.resolve("badtype.json");
        Files.writeString(
                badType, "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"a\": 0}}}");
        m =
                assertThrows(
                                ConfigException.class,
                                () -> HfTokenizer.config().path(badType.toString()).instantiate())
                        .getMessage();
        assertTrue(
                m.startsWith(
                        "path: "
                                + badType
                                + " is not a tokenizer.json the tokenizers library accepts"),
                m);
        assertEquals(
                "padToken: '<nopad>' is not in " + HfTokenizer.bertBaseUncased().get("path"),
                assertThrows(
                                ConfigException.class,
                                () ->
                                        HfTokenizer.bertBaseUncased()
                                                .padToken("<nopad>")
                                                .instantiate())
                        .getMessage());
    }

    @Test
    void concurrentEncoding_givesTheSameIds() throws InterruptedException {
        TokenizerTestData.assertSameIdsFromThreads(HF_BERT);
    }

    private static List<String> texts() {
        List<String> out = new ArrayList<>(TokenizerTestData.kjvLines());
        out.addAll(TokenizerTestData.TRICKY);
        return out;
    }
}

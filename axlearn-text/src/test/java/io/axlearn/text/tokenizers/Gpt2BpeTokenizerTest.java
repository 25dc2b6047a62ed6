package io.axlearn.text.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.config.ConfigJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2BpeTokenizerTest {
    private static final Gpt2BpeTokenizer GPT2 =
            (Gpt2BpeTokenizer) Gpt2BpeTokenizer.gpt2().instantiate();

    @TempDir Path dir;

    @Test
    void gpt2_referenceSentence_matchesReferenceIds() {
        int[] ids = GPT2.encode(TokenizerTestData.HELLO);
        assertArrayEquals(new int[] {15496, 995, 11, 1312, 588, 36973, 13}, ids);
        assertArrayEquals(ids, GPT2.encode(TokenizerTestData.HELLO, true), "GPT-2 adds nothing");
        assertEquals(TokenizerTestData.HELLO, GPT2.decode(ids));
        assertEquals(50257, GPT2.vocabSize());
        assertEquals(OptionalInt.of(50256), GPT2.eosId());
        assertEquals(50256, GPT2.padId());
        assertEquals(OptionalInt.of(995), GPT2.tokenId("\u0120world"));
    }

    @Test
    void encodeDecode_roundTripsExactly_onKjvAndEdgeCases() {
        int tokens = 0;
        int bytes = 0;
        for (String line : TokenizerTestData.kjvLines()) {
            int[] ids = GPT2.encode(line);
            assertEquals(line, GPT2.decode(ids));
            tokens += ids.length;
            bytes += line.length();
        }
        // BPE compresses English: far fewer tokens than characters, but not fewer than words.
        assertTrue(tokens < bytes / 3, tokens + " tokens for " + bytes + " chars");
        for (String s : TokenizerTestData.TRICKY) {
            int[] ids = GPT2.encode(s);
            assertEquals(s, GPT2.decode(ids), s);
            for (int id : ids) {
                assertTrue(id >= 0 && id < 50256, "no special id from plain text: " + id);
            }
        }
        int[] spelled = GPT2.encode("<|endoftext|>");
        assertTrue(spelled.length > 1, "a special token spelled in text stays text");
        assertFalse(java.util.Arrays.stream(spelled).anyMatch(id -> id == 50256));
        assertEquals("<|endoftext|>", GPT2.decode(spelled));
    }

    @Test
    void byteToUnicode_isABijectionOntoPrintableCharacters() {
        char[] map = Gpt2BpeTokenizer.byteToUnicode();
        assertEquals('!', map['!']);
        assertEquals('\u0120', map[' ']); // the "Ġ" of GPT-2's word-start tokens
        assertEquals('\u010A', map['\n']);
        assertEquals(256, new String(map).chars().distinct().count());
        for (char c : map) {
            assertFalse(Character.isWhitespace(c) || Character.isISOControl(c), "char " + (int) c);
        }
    }

    @Test
    void config_roundTripsThroughJson_andRebuildsTheSameTokenizer() {
        Gpt2BpeTokenizer.Config cfg = Gpt2BpeTokenizer.gpt2().eosToken(null);
        String json = ConfigJson.toJson(cfg);
        assertTrue(json.contains("\"@type\" : \"text/Gpt2BpeTokenizer\""), json);
        Gpt2BpeTokenizer.Config back = ConfigJson.fromJson(json, Gpt2BpeTokenizer.Config.class);
        assertEquals(cfg, back);
        Tokenizer t = back.instantiate();
        assertEquals(OptionalInt.empty(), t.eosId());
        assertArrayEquals(GPT2.encode(TokenizerTestData.HELLO), t.encode(TokenizerTestData.HELLO));
    }

    @Test
    void missingFile_isOneErrorNamingFieldAndFile() {
        String missing = dir.resolve("nope.json").toString();
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Gpt2BpeTokenizer.gpt2()
                                        .vocab(missing)
                                        .instantiateAt("model.tokenizer"));
        assertEquals("model.tokenizer.vocab: no such file or folder: " + missing, e.getMessage());
        ConfigException r =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Gpt2BpeTokenizer.gpt2()
                                        .merges("classpath:no/merges.txt")
                                        .instantiate());
        assertEquals("merges: no class-path resource no/merges.txt", r.getMessage());
    }

    @Test
    void malformedVocab_namesFileAndLine() throws IOException {
        Path bad = write("bad.json", "{\"a\": 0,\n\"b\": 1,\n\"c\" 2}");
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> Gpt2BpeTokenizer.gpt2().vocab(bad.toString()).instantiate());
        assertTrue(
                e.getMessage().startsWith("vocab: " + bad + " line 3 column 5: malformed JSON"),
                e.getMessage());

        Path notId = write("notid.json", "{\"a\": 0,\n\"b\": \"one\"}");
        assertEquals(
                "vocab: " + notId + " line 2 column 6: id of 'b' is not an id",
                assertThrows(
                                ConfigException.class,
                                () -> Gpt2BpeTokenizer.gpt2().vocab(notId.toString()).instantiate())
                        .getMessage());

        Path gap = write("gap.json", "{\"a\": 0, \"b\": 7}");
        assertEquals(
                "vocab: " + gap + " has 2 tokens, so ids must be 0..1, but 'b' has id 7",
                assertThrows(
                                ConfigException.class,
                                () -> Gpt2BpeTokenizer.gpt2().vocab(gap.toString()).instantiate())
                        .getMessage());

        Path noBytes = write("nobytes.json", "{\"a\": 0}");
        assertTrue(
                assertThrows(
                                ConfigException.class,
                                () ->
                                        Gpt2BpeTokenizer.gpt2()
                                                .vocab(noBytes.toString())
                                                .instantiate())
                        .getMessage()
                        .endsWith(
                                "has no token for byte 0 ('\u0100'); not a byte-level BPE vocabulary"));
    }

    @Test
    void malformedMerges_nameFileAndLine() throws IOException {
        Path threeTokens = write("m1.bpe", "#version: 0.2\n\u0120 t\nh e l\n");
        assertEquals(
                "merges: "
                        + threeTokens
                        + " line 3: expected two tokens separated by one space, got 'h e l'",
                assertThrows(
                                ConfigException.class,
                                () ->
                                        Gpt2BpeTokenizer.gpt2()
                                                .merges(threeTokens.toString())
                                                .instantiate())
                        .getMessage());
        Path unknown = write("m2.bpe", "#version: 0.2\n\u0120 t\nzq\u00ff xj\n");
        assertEquals(
                "merges: "
                        + unknown
                        + " line 3: 'zq\u00ff' is not in "
                        + Gpt2BpeTokenizer.GPT2_FILES
                        + "encoder.json",
                assertThrows(
                                ConfigException.class,
                                () ->
                                        Gpt2BpeTokenizer.gpt2()
                                                .merges(unknown.toString())
                                                .instantiate())
                        .getMessage());
        assertEquals(
                "eosToken: '<eos>' is not in " + Gpt2BpeTokenizer.GPT2_FILES + "encoder.json",
                assertThrows(
                                ConfigException.class,
                                () -> Gpt2BpeTokenizer.gpt2().eosToken("<eos>").instantiate())
                        .getMessage());
    }

    @Test
    void fewerMerges_giveLongerButStillExactEncodings() throws IOException {
        Path firstHundred =
                write(
                        "m100.bpe",
                        String.join("\n", Files.readAllLines(resource("vocab.bpe")).subList(0, 101))
                                + "\n");
        Tokenizer small = Gpt2BpeTokenizer.gpt2().merges(firstHundred.toString()).instantiate();
        String line = TokenizerTestData.kjvLines().get(7);
        int[] ids = small.encode(line);
        assertTrue(ids.length > GPT2.encode(line).length);
        assertEquals(line, small.decode(ids));
    }

    private static Path resource(String name) {
        try {
            return Path.of(
                    Gpt2BpeTokenizer.class
                            .getResource("/io/axlearn/text/tokenizers/gpt2/" + name)
                            .toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void concurrentEncoding_givesTheSameIds() throws InterruptedException {
        TokenizerTestData.assertSameIdsFromThreads(GPT2);
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }
}

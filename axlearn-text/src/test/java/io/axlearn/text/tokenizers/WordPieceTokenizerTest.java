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
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTokenizerTest {
    private static final WordPieceTokenizer BERT =
            (WordPieceTokenizer) WordPieceTokenizer.bertBaseUncased().instantiate();

    @TempDir Path dir;

    @Test
    void bertBaseUncased_referenceSentence_matchesReferenceIds() {
        int[] withSpecials = BERT.encode(TokenizerTestData.HELLO, true);
        assertArrayEquals(
                new int[] {101, 7592, 2088, 1010, 1045, 2066, 13137, 20968, 1012, 102},
                withSpecials);
        assertArrayEquals(
                Arrays.copyOfRange(withSpecials, 1, withSpecials.length - 1),
                BERT.encode(TokenizerTestData.HELLO));
        assertEquals("[CLS] hello world, i like strawberries. [SEP]", BERT.decode(withSpecials));
        assertEquals("strawberries", BERT.decode(new int[] {13137, 20968}));
        assertEquals("##berries", BERT.token(20968));
        assertEquals(30522, BERT.vocabSize());
        assertEquals(0, BERT.padId());
        assertEquals(OptionalInt.of(102), BERT.eosId());
        assertEquals(OptionalInt.of(103), BERT.tokenId("[MASK]"));
    }

    @Test
    void normalisation_lowerCasesStripsAccentsAndSplitsPunctuationAndCjk() {
        assertEquals("cafe deja vu", BERT.decode(BERT.encode("Café  DÉJÀ\tvu")));
        assertArrayEquals(BERT.encode("a , b"), BERT.encode("a,b"), "punctuation is its own word");
        assertArrayEquals(BERT.encode("$ 5 + 3"), BERT.encode("$5+3"), "ASCII symbols split too");
        assertArrayEquals(BERT.encode("你 好"), BERT.encode("你好"), "each ideograph is a word");
        assertArrayEquals(
                BERT.encode("ab"), BERT.encode("a\u0000b\u200b"), "NUL and format chars go");
        int unk = BERT.tokenId("[UNK]").getAsInt();
        assertArrayEquals(new int[] {unk}, BERT.encode("x".repeat(101)), "over 100 chars");
        assertArrayEquals(new int[] {unk}, BERT.encode("\u2603\u2603"), "no segmentation");
        assertArrayEquals(new int[0], BERT.encode(" \t\n "));

        Tokenizer cased = WordPieceTokenizer.bertBaseUncased().lowerCase(false).instantiate();
        assertEquals(unk, cased.encode("Hello")[0], "an uncased vocabulary has no 'Hello'");
        Tokenizer keepAccents =
                WordPieceTokenizer.bertBaseUncased().stripAccents(false).instantiate();
        assertFalse(Arrays.equals(BERT.encode("café"), keepAccents.encode("café")));
        assertArrayEquals(BERT.encode("cafe"), BERT.encode("café"));
    }

    @Test
    void decode_reproducesNormalisedKjvText() {
        for (String line : TokenizerTestData.kjvLines()) {
            int[] ids = BERT.encode(line);
            String expected =
                    line.trim()
                            .replaceAll("\\s+", " ")
                            .toLowerCase(java.util.Locale.ROOT)
                            .replaceAll("([;:'()-])", " $1 ")
                            .replaceAll("\\s+", " ")
                            .trim();
            // Decoding re-spaces only ; : ' ( ) -, the punctuation it does not glue back.
            assertEquals(
                    expected,
                    BERT.decode(ids)
                            .replaceAll("([;:'()-])", " $1 ")
                            .replaceAll("\\s+", " ")
                            .trim(),
                    line);
            assertArrayEquals(ids, BERT.encode(BERT.decode(ids)), "re-encoding is stable: " + line);
        }
    }

    @Test
    void config_roundTripsThroughJson() {
        WordPieceTokenizer.Config cfg =
                WordPieceTokenizer.bertBaseUncased().stripAccents(true).maxInputCharsPerWord(50);
        String json = ConfigJson.toJson(cfg);
        assertTrue(json.contains("\"@type\" : \"text/WordPieceTokenizer\""), json);
        WordPieceTokenizer.Config back = ConfigJson.fromJson(json, WordPieceTokenizer.Config.class);
        assertEquals(cfg, back);
        assertArrayEquals(
                BERT.encode(TokenizerTestData.HELLO),
                back.instantiate().encode(TokenizerTestData.HELLO));
    }

    @Test
    void missingOrMalformedVocab_isOneErrorNamingFileAndLine() throws IOException {
        String missing = dir.resolve("vocab.txt").toString();
        assertEquals(
                "model.tokenizer.vocab: no such file or folder: " + missing,
                assertThrows(
                                ConfigException.class,
                                () ->
                                        WordPieceTokenizer.config()
                                                .vocab(missing)
                                                .instantiateAt("model.tokenizer"))
                        .getMessage());
        Path dup = write("dup.txt", "[PAD]\n[UNK]\nhello\n[CLS]\nhello\n");
        assertEquals(
                "vocab: " + dup + " line 5: token 'hello' repeats line 3",
                assertThrows(
                                ConfigException.class,
                                () ->
                                        WordPieceTokenizer.config()
                                                .vocab(dup.toString())
                                                .instantiate())
                        .getMessage());
        Path blank = write("blank.txt", "[PAD]\n\n[UNK]\n");
        assertEquals(
                "vocab: " + blank + " line 2: empty token",
                assertThrows(
                                ConfigException.class,
                                () ->
                                        WordPieceTokenizer.config()
                                                .vocab(blank.toString())
                                                .instantiate())
                        .getMessage());
        Path noSep = write("nosep.txt", "[PAD]\n[UNK]\n[CLS]\nhello\n");
        assertEquals(
                "sepToken: '[SEP]' is not in " + noSep,
                assertThrows(
                                ConfigException.class,
                                () ->
                                        WordPieceTokenizer.config()
                                                .vocab(noSep.toString())
                                                .instantiate())
                        .getMessage());
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertEquals(
                "vocab: " + latin1 + " is not UTF-8 text",
                assertThrows(
                                ConfigException.class,
                                () ->
                                        WordPieceTokenizer.config()
                                                .vocab(latin1.toString())
                                                .instantiate())
                        .getMessage());
        assertEquals(
                "vocab: " + dir + " is a folder, not a file",
                assertThrows(
                                ConfigException.class,
                                () ->
                                        WordPieceTokenizer.config()
                                                .vocab(dir.toString())
                                                .instantiate())
                        .getMessage());
    }

    @Test
    void smallVocab_greedyLongestMatchFirst() throws IOException {
        Path v =
                write(
                        "small.txt",
                        "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\nunaff\n##aff\n##able\n##a\n##ff\n##b\n");
        Tokenizer t = WordPieceTokenizer.config().vocab(v.toString()).instantiate();
        assertArrayEquals(
                new int[] {5, 7}, t.encode("unaffable"), "unaff + ##able, not un + ##aff");
        assertArrayEquals(new int[] {5, 10}, t.encode("unaffb"), "longest start, then ##b");
        assertArrayEquals(new int[] {4, 8, 8}, t.encode("unaa"), "un + ##a + ##a");
        assertArrayEquals(new int[] {1}, t.encode("unaffc"), "one unknown piece: the whole word");
        assertArrayEquals(new int[] {2, 5, 7, 1, 3}, t.encode("unaffable UNX", true));
        assertEquals("unaffable [UNK]", t.decode(t.encode("unaffable unx")));
    }

    @Test
    void concurrentEncoding_givesTheSameIds() throws InterruptedException {
        TokenizerTestData.assertSameIdsFromThreads(BERT);
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }
}

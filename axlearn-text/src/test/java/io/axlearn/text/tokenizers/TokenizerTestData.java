package io.axlearn.text.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Text the tokenizer tests share: real KJV lines and strings that reach the edge cases. */
final class TokenizerTestData {
    /** The reference sentence of data.md §2.3. */
    static final String HELLO = "Hello world, i like strawberries.";

    /** Accents, CJK, emoji, mixed scripts, digits, tabs, runs of spaces, symbols, contractions. */
    static final List<String> TRICKY =
            List.of(
                    "Café déjà vu — naïve résumé, Ångström & Øre!",
                    "他说：“你好，世界。” 日本語のテキスト",
                    "Emoji 🙂👍🏽 and flags 🇫🇷, math ∑x² ≤ 10³",
                    "  leading and   multiple spaces\tand\ttabs\nand newlines  ",
                    "I'll say it's 3.14159 or $1,234.56 (approx.) -- don't you've we'd?",
                    "ΑΒΓ αβγ Привет мир שלום עולם مرحبا",
                    "İSTANBUL İzmir ΟΔΥΣΣΕΥΣ ὈΔΥΣΣΕΎΣ STRASSE Straße ẞ ǅ Ⅻ ﬁ ΐ ΆΈΉ",
                    "snake_case CamelCase URL: http://a.b/c?d=e&f=g#h <tag attr=\"x\">",
                    "supercalifragilisticexpialidocious antidisestablishmentarianism",
                    "x".repeat(120) + " a long word",
                    "");

    private TokenizerTestData() {}

    /**
     * Encodes the KJV sample from four threads at once and checks every thread gets the ids one
     * thread gets alone.
     */
    static void assertSameIdsFromThreads(Tokenizer t) throws InterruptedException {
        List<String> lines = kjvLines();
        int[][] expected = t.encodeAll(lines);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[][]>> runs = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                runs.add(pool.submit(() -> t.encodeAll(lines)));
            }
            for (Future<int[][]> run : runs) {
                int[][] got = run.get();
                for (int i = 0; i < lines.size(); i++) {
                    assertArrayEquals(expected[i], got[i], lines.get(i));
                }
            }
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    /** 400 lines of the King James Bible, every 160th non-blank line (kjv-sample.txt). */
    static List<String> kjvLines() {
        try (InputStream in = TokenizerTestData.class.getResourceAsStream("kjv-sample.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new ArrayList<>(List.of(text.split("\n")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

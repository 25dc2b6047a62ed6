package io.axlearn.text.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.Example;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.input.Input;
import io.axlearn.core.input.InputState;
import io.axlearn.core.input.Processor;
import io.axlearn.text.tokenizers.ByteTokenizer;
import io.axlearn.text.tokenizers.HfTokenizer;
import io.axlearn.text.tokenizers.Tokenizer;
import io.axlearn.text.tokenizers.WordPieceTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class MlmInputTest {
    /**
     * The King James Bible embedded in the examples module (about a million WordPiece tokens); the
     * tests run in this module's folder, so the path is relative to it.
     */
    private static final String KJV =
            "../examples/src/main/resources/io/axlearn/examples/text/kjv.txt.gz";

    private static final Tokenizer BERT = WordPieceTokenizer.bertBaseUncased().instantiate();
    private static final int CLS = BERT.tokenId("[CLS]").getAsInt();
    private static final int SEP = BERT.tokenId("[SEP]").getAsInt();
    private static final int MASK = BERT.tokenId("[MASK]").getAsInt();

    private static TokenWindowSource windows(int seqLen) {
        return new TokenWindowSource().path(KJV).seqLen(seqLen);
    }

    /** Counts over the masked examples of {@code windows} windows (draws 0, 1, ...). */
    private record Counts(long candidates, long selected, long masked, long random, long kept) {}

    private static Counts count(MlmMasking masking, ExampleSource source, int windows) {
        Processor p = masking.instantiate();
        long candidates = 0;
        long selected = 0;
        long masked = 0;
        long random = 0;
        long kept = 0;
        for (int w = 0; w < windows; w++) {
            Example original = source.get(w);
            Example e = p.apply(original, w);
            int[] ids = original.ints(TokenWindowSource.INPUTS);
            int[] in = e.ints(MlmMasking.INPUTS);
            float[] weights = e.floats(MlmMasking.TARGET_WEIGHTS);
            assertArrayEquals(ids, e.ints(MlmMasking.TARGETS), "targets are the original ids");
            assertEquals(0f, weights[0], "[CLS] is never selected");
            assertEquals(0f, weights[ids.length - 1], "[SEP] is never selected");
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] != CLS && ids[i] != SEP) {
                    candidates++;
                }
                if (weights[i] == 0) {
                    assertEquals(ids[i], in[i], "an unselected token is unchanged");
                    continue;
                }
                selected++;
                if (in[i] == MASK) {
                    masked++;
                } else if (in[i] == ids[i]) {
                    kept++;
                } else {
                    random++;
                }
            }
        }
        return new Counts(candidates, selected, masked, random, kept);
    }

    private static void assertNear(double expected, double actual, double tol, String what) {
        assertTrue(
                Math.abs(actual - expected) <= tol,
                what + ": " + actual + " is not within " + tol + " of " + expected);
    }

    private static void assertBertStatistics(Counts c) {
        assertTrue(c.candidates() >= 100_000, "too few tokens: " + c.candidates());
        assertNear(0.15, (double) c.selected() / c.candidates(), 0.005, "selected fraction");
        // A random id equals the original with probability 1/30522: counted as kept, negligible.
        assertNear(0.8, (double) c.masked() / c.selected(), 0.015, "[MASK] share");
        assertNear(0.1, (double) c.random() / c.selected(), 0.01, "random share");
        assertNear(0.1, (double) c.kept() / c.selected(), 0.01, "unchanged share");
    }

    @Test
    void masking_onTheKjv_selects15PercentAndSplits80_10_10() {
        Counts c = count(new MlmMasking(), windows(128).instantiate(), 900);
        assertBertStatistics(c);
    }

    @Test
    void wholeWordMasking_selectsWordsWhole_withTheSameStatistics() {
        MlmMasking masking = new MlmMasking().wholeWord(true);
        ExampleSource source = windows(128).instantiate();
        assertBertStatistics(count(masking, source, 900));
        Processor p = masking.instantiate();
        WordPieceTokenizer wp = (WordPieceTokenizer) BERT;
        long multiPieceWords = 0;
        for (int w = 0; w < 300; w++) {
            int[] ids = source.get(w).ints(TokenWindowSource.INPUTS);
            float[] weights = p.apply(source.get(w), w).floats(MlmMasking.TARGET_WEIGHTS);
            for (int i = 2; i < ids.length - 1; i++) {
                if (wp.token(ids[i]).startsWith("##")) {
                    assertEquals(
                            weights[i - 1],
                            weights[i],
                            "window " + w + ": a continuation is selected with its word");
                    if (weights[i] == 1) {
                        multiPieceWords++;
                    }
                }
            }
        }
        assertTrue(multiPieceWords > 50, "multi-piece words selected: " + multiPieceWords);
    }

    @Test
    void windows_areFramedBySpecialTokens_andCoverTheCorpusInOrder() {
        ExampleSource train = windows(16).instantiate();
        ExampleSource eval = windows(16).split(ByteTextSource.Split.EVAL).instantiate();
        int[] first = train.get(0).ints(TokenWindowSource.INPUTS);
        int[] second = train.get(1).ints(TokenWindowSource.INPUTS);
        assertEquals(16, first.length);
        assertEquals(CLS, first[0]);
        assertEquals(SEP, first[15]);
        String windowText =
                BERT.decode(Arrays.copyOfRange(first, 1, 15))
                        + BERT.decode(Arrays.copyOfRange(second, 1, 15));
        String corpus = new String(TextFiles.read(KJV, "test"), StandardCharsets.UTF_8);
        // WordPiece lower-cases and splits punctuation: compare letters and digits only.
        assertTrue(
                alphanumeric(corpus.substring(0, 400)).startsWith(alphanumeric(windowText)),
                "two consecutive windows read the corpus from its start: " + windowText);
        // The held-out tail is about 2% of the windows.
        assertNear(0.02, (double) eval.size() / (train.size() + eval.size()), 0.001, "eval share");
    }

    private static String alphanumeric(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("##|[^a-z0-9]", "");
    }

    @Test
    void masks_areDeterministic_newPerDraw_andResumeExactly() {
        ExampleSource source = windows(64).instantiate();
        Processor p = new MlmMasking().seed(3).instantiate();
        Example e = source.get(5);
        assertEquals(p.apply(e, 17), p.apply(e, 17));
        assertNotEquals(p.apply(e, 17), p.apply(e, 18));
        assertNotEquals(p.apply(e, 17), new MlmMasking().seed(4).instantiate().apply(e, 17));

        Input.Config cfg =
                Input.config()
                        .source(windows(64))
                        .addProcessor(new MlmMasking().seed(3))
                        .batchSize(4)
                        .training(true)
                        .shuffleBufferSize(8)
                        .seed(11);
        List<Object> uninterrupted = new ArrayList<>();
        InputState saved;
        try (Input.BatchIterator it = cfg.instantiate().iterator()) {
            it.next();
            saved = it.next().stateAfter();
            for (int i = 0; i < 3; i++) {
                uninterrupted.add(it.next().features());
            }
        }
        List<Object> resumed = new ArrayList<>();
        try (Input.BatchIterator it = cfg.instantiate().iterator(saved)) {
            for (int i = 0; i < 3; i++) {
                Batch b = it.next();
                resumed.add(b.features());
            }
        }
        assertEquals(uninterrupted, resumed);
    }

    @Test
    void aTokenizerWithoutTheMaskToken_orWithoutWordPieces_isAConfigError() {
        MlmMasking bytes = new MlmMasking().tokenizer(ByteTokenizer.config());
        ConfigException e = assertThrows(ConfigException.class, () -> bytes.instantiateAt("p"));
        assertEquals(
                "p.maskToken is [MASK], which the vocabulary of p.tokenizer does not have",
                e.getMessage());
        MlmMasking rust = new MlmMasking().tokenizer(HfTokenizer.bertBaseUncased()).wholeWord(true);
        e = assertThrows(ConfigException.class, () -> rust.instantiateAt("p"));
        assertEquals(
                "p.wholeWord needs a WordPiece tokenizer to find words, but p.tokenizer is"
                        + " text/HfTokenizer",
                e.getMessage());
    }
}

package io.axlearn.text.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch encoding through {@link Tokenizer#encodeBatch}: padding, truncation, masks, specials. */
class TokenBatchTest {
    private static final Tokenizer BERT = WordPieceTokenizer.bertBaseUncased().instantiate();
    private static final List<String> TEXTS =
            List.of(TokenizerTestData.HELLO, "In the beginning", "", "amen");

    @Test
    void longest_padsToTheLongestRow_withMaskAndPadId() {
        TokenBatch b = BERT.encodeBatch(TEXTS, BatchOptions.longest().withSpecialTokens());
        assertEquals(4, b.batchSize());
        assertEquals(10, b.seqLen());
        int[][] ids = b.ids();
        int[][] mask = b.mask();
        for (int r = 0; r < TEXTS.size(); r++) {
            int[] expected = BERT.encode(TEXTS.get(r), true);
            assertArrayEquals(expected, b.row(r));
            assertEquals(expected.length, b.length(r));
            for (int t = 0; t < b.seqLen(); t++) {
                assertEquals(t < expected.length ? 1 : 0, mask[r][t]);
                assertEquals(t < expected.length ? expected[t] : BERT.padId(), ids[r][t]);
            }
        }
        assertArrayEquals(new int[] {101, 102}, b.row(2), "an empty text is [CLS] [SEP]");
        assertEquals(b.seqLen() * 4, b.flatIds().length);
        assertEquals(ids[1][3], b.flatIds()[b.seqLen() + 3]);
        assertEquals(mask[3][2], b.flatMask()[3 * b.seqLen() + 2]);
    }

    @Test
    void truncation_keepsTheSpecialTokens_andMaxLengthPadding_fixesTheShape() {
        TokenBatch b =
                BERT.encodeBatch(
                        TEXTS,
                        BatchOptions.longest().withSpecialTokens().truncateTo(5).padToMaxLength());
        assertEquals(5, b.seqLen());
        assertArrayEquals(new int[] {101, 7592, 2088, 1010, 102}, b.row(0));
        assertArrayEquals(new int[] {101, 102, 0, 0, 0}, b.ids()[2]);
        assertArrayEquals(new int[] {1, 1, 0, 0, 0}, b.mask()[2]);

        TokenBatch plain = BERT.encodeBatch(TEXTS, BatchOptions.longest().truncateTo(3));
        assertEquals(3, plain.seqLen());
        assertArrayEquals(new int[] {7592, 2088, 1010}, plain.row(0));
        assertEquals(0, plain.length(2));
    }

    @Test
    void batch_isImmutable() {
        TokenBatch b = BERT.encodeBatch(TEXTS, BatchOptions.longest());
        int first = b.ids()[0][0];
        b.ids()[0][0] = -7;
        b.mask()[0][0] = 0;
        b.row(0)[0] = -7;
        b.flatIds()[0] = -7;
        assertEquals(first, b.ids()[0][0]);
        assertEquals(1, b.mask()[0][0]);
    }

    @Test
    void bytesAndBpe_padWithTheirOwnPadIds() {
        Tokenizer bytes = ByteTokenizer.config().instantiate();
        TokenBatch b = bytes.encodeBatch(List.of("ab", "abcd"), BatchOptions.longest());
        assertArrayEquals(new int[] {97, 98, 0, 0}, b.ids()[0]);
        Tokenizer gpt2 = Gpt2BpeTokenizer.gpt2().instantiate();
        TokenBatch g = gpt2.encodeBatch(List.of("Hello", "Hello world"), BatchOptions.longest());
        assertArrayEquals(new int[] {15496, 50256}, g.ids()[0]);
        assertArrayEquals(new int[] {1, 0}, g.mask()[0]);
    }

    @Test
    void badOptions_areClearErrors() {
        assertEquals(
                "maxLength 2 leaves no room after 2 special tokens",
                assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        BERT.encodeBatch(
                                                TEXTS,
                                                BatchOptions.longest()
                                                        .withSpecialTokens()
                                                        .truncateTo(2)))
                        .getMessage());
        assertEquals(
                "padding to maxLength needs a maxLength",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> BatchOptions.longest().padToMaxLength())
                        .getMessage());
        assertEquals(
                "maxLength must be positive, got 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> BatchOptions.longest().truncateTo(0))
                        .getMessage());
    }
}

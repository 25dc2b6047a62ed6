package io.axlearn.text.tokenizers;

import java.util.Arrays;

/**
 * An immutable batch of encoded texts, {@code B} rows of {@code T} ids: {@code ids[b][t]} is a
 * token id where {@code mask[b][t] == 1} and the pad id where {@code mask[b][t] == 0}. Real tokens
 * come first in each row ({@code mask[b][t] == 1} exactly for {@code t < length(b)}). Accessors of
 * whole arrays return copies.
 */
public final class TokenBatch {
    private final int[][] ids;
    private final int[][] mask;
    private final int[] lengths;

    private TokenBatch(int[][] ids, int[][] mask, int[] lengths) {
        this.ids = ids;
        this.mask = mask;
        this.lengths = lengths;
    }

    /**
     * Pads each row to {@code seqLen} with {@code padId}.
     *
     * @throws IllegalArgumentException if a row is longer than {@code seqLen}
     */
    static TokenBatch pad(int[][] rows, int seqLen, int padId) {
        int[][] ids = new int[rows.length][seqLen];
        int[][] mask = new int[rows.length][seqLen];
        int[] lengths = new int[rows.length];
        for (int b = 0; b < rows.length; b++) {
            int n = rows[b].length;
            if (n > seqLen) {
                throw new IllegalArgumentException(
                        "row " + b + " has " + n + " ids, more than " + seqLen);
            }
            System.arraycopy(rows[b], 0, ids[b], 0, n);
            Arrays.fill(ids[b], n, seqLen, padId);
            Arrays.fill(mask[b], 0, n, 1);
            lengths[b] = n;
        }
        return new TokenBatch(ids, mask, lengths);
    }

    /** Number of rows {@code B}. */
    public int batchSize() {
        return ids.length;
    }

    /** Ids per row {@code T} (0 for an empty batch). */
    public int seqLen() {
        return ids.length == 0 ? 0 : ids[0].length;
    }

    /** The ids {@code [B][T]}, padded (a copy). */
    public int[][] ids() {
        return deepCopy(ids);
    }

    /** The attention mask {@code [B][T]}: 1 for a real token, 0 for padding (a copy). */
    public int[][] mask() {
        return deepCopy(mask);
    }

    /** The ids of row {@code b} without padding (a copy). */
    public int[] row(int b) {
        return Arrays.copyOf(ids[b], lengths[b]);
    }

    /** Number of real tokens in row {@code b}. */
    public int length(int b) {
        return lengths[b];
    }

    /**
     * The ids flattened row by row, {@code B * T} values, for {@code manager.create(ids, shape)}.
     */
    public int[] flatIds() {
        return flatten(ids);
    }

    /** The mask flattened row by row, {@code B * T} values. */
    public int[] flatMask() {
        return flatten(mask);
    }

    private static int[][] deepCopy(int[][] a) {
        int[][] out = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    private static int[] flatten(int[][] a) {
        int t = a.length == 0 ? 0 : a[0].length;
        int[] out = new int[a.length * t];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * t, t);
        }
        return out;
    }

    @Override
    public String toString() {
        return "TokenBatch[" + batchSize() + " x " + seqLen() + "]";
    }
}

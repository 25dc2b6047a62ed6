package io.axlearn.text.tokenizers;

import java.util.Arrays;

/**
 * An open-addressing map from {@code long} to {@code long} (linear probing, no removal), so the
 * merge lookups of {@link Gpt2BpeTokenizer} neither box nor allocate. Not thread-safe to write;
 * reads after construction are.
 */
final class LongLongMap {
    private static final long EMPTY = Long.MIN_VALUE;
    private final long[] keys;
    private final long[] values;
    private final int mask;

    /** A map for up to {@code expected} entries (the table is not resized). */
    LongLongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        mask = cap - 1;
        Arrays.fill(keys, EMPTY);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Adds or replaces; {@code key} must not be {@link Long#MIN_VALUE}. */
    void put(long key, long value) {
        int i = slot(key);
        keys[i] = key;
        values[i] = value;
    }

    boolean contains(long key) {
        return keys[slot(key)] == key;
    }

    long get(long key, long missing) {
        int i = slot(key);
        return keys[i] == key ? values[i] : missing;
    }
}

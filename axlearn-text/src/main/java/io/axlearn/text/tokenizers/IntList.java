package io.axlearn.text.tokenizers;

import java.util.Arrays;

/** A growable {@code int[]} for collecting ids without boxing. */
final class IntList {
    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (size == data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[size++] = v;
    }

    void addAll(int[] vs) {
        if (size + vs.length > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, size + vs.length));
        }
        System.arraycopy(vs, 0, data, size, vs.length);
        size += vs.length;
    }

    int size() {
        return size;
    }

    /** Drops the values from index {@code n} on. */
    void truncate(int n) {
        size = n;
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}

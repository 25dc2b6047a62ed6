package io.axlearn.trainer.distributed;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Several buffers read and written as one flat byte vector, end to end: the arrays of one rank's
 * shard (their aliasing buffers), cut into equal blocks for a reduce-scatter or an all-gather
 * without ever being copied into one big buffer.
 */
final class FlatView {
    private final ByteBuffer[] parts;
    private final long[] starts;
    private final long length;

    FlatView(List<ByteBuffer> buffers) {
        parts = buffers.toArray(ByteBuffer[]::new);
        starts = new long[parts.length];
        long offset = 0;
        for (int i = 0; i < parts.length; i++) {
            starts[i] = offset;
            offset += parts[i].capacity();
        }
        length = offset;
    }

    /** The total bytes. */
    long length() {
        return length;
    }

    /**
     * Copies bytes {@code [from, from + target.capacity())} into {@code target}; bytes past the end
     * read as zeros.
     */
    void read(long from, ByteBuffer target) {
        for (int done = copy(from, target, true); done < target.capacity(); done++) {
            target.put(done, (byte) 0);
        }
    }

    /**
     * Copies {@code source} (all its capacity) to bytes {@code [from, ...)}; bytes past the end are
     * dropped.
     */
    void write(long from, ByteBuffer source) {
        copy(from, source, false);
    }

    /**
     * Copies between bytes {@code [from, ...)} of this vector and {@code other} (from its start, up
     * to its capacity or this vector's end), into {@code other} when {@code toOther}; returns the
     * bytes copied.
     */
    private int copy(long from, ByteBuffer other, boolean toOther) {
        int done = 0;
        int want = other.capacity();
        for (int i = first(from); i < parts.length && done < want && from + done < length; i++) {
            int at = (int) (from + done - starts[i]);
            int n = Math.min(parts[i].capacity() - at, want - done);
            if (toOther) {
                other.put(done, parts[i], at, n);
            } else {
                parts[i].put(at, other, done, n);
            }
            done += n;
        }
        return done;
    }

    /** The part holding byte {@code offset} (the last one when past the end). */
    private int first(long offset) {
        int i = Arrays.binarySearch(starts, offset);
        if (i < 0) {
            i = -i - 2; // the part starting before offset
        }
        // Skip empty parts starting at the same offset.
        while (i < parts.length - 1 && starts[i + 1] <= offset) {
            i++;
        }
        return Math.max(i, 0);
    }
}

package io.axlearn.core.input;

import io.axlearn.core.config.ConfigPath;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The examples of several sources one after the other: indices {@code [0, size(parts[0]))} are the
 * first part's, the next {@code size(parts[1])} the second's, and so on. Each part keeps its own
 * features (a mixture of image datasets shares {@code image} and {@code label}, with the labels of
 * one part offset past the other's classes).
 *
 * <p>With {@code shuffleSeed} set, index {@code i} reads the {@code i}-th example of a fixed
 * pseudo-random permutation of that concatenation (the same for the same seed, every epoch): a
 * training input's shuffle buffer holds only a window of the stream, so without it a buffer smaller
 * than the first part would see the parts one after the other, not mixed.
 */
public final class ConcatSource extends ExampleSource.Config<ConcatSource> {
    /** The sources, read in this order. */
    private List<ExampleSource.Config<?>> parts = new ArrayList<>();

    /** Seed of the permutation the examples are read in; null reads them in order. */
    private Long shuffleSeed = null;

    /** Sets the permutation's seed (null: in order). */
    public ConcatSource shuffleSeed(Long v) {
        return set(() -> shuffleSeed = v);
    }

    /** Adds a source after the others (stored as a copy). */
    public ConcatSource addPart(ExampleSource.Config<?> v) {
        return set(
                () -> {
                    List<ExampleSource.Config<?>> list = new ArrayList<>(parts);
                    list.add(v.copy());
                    parts = list;
                });
    }

    @Override
    protected void validate() {
        if (parts.isEmpty()) {
            throw invalid("parts", "must name at least one source");
        }
    }

    @Override
    protected ExampleSource create() {
        List<ExampleSource> sources = new ArrayList<>();
        long[] starts = new long[parts.size() + 1];
        for (int i = 0; i < parts.size(); i++) {
            ExampleSource s =
                    parts.get(i)
                            .instantiateAt(ConfigPath.item(ConfigPath.child(path(), "parts"), i));
            sources.add(s);
            starts[i + 1] = starts[i] + s.size();
        }
        long total = starts[parts.size()];
        if (shuffleSeed != null && total > Integer.MAX_VALUE) {
            throw invalid(
                    "shuffleSeed", "cannot permute " + total + " examples (at most 2^31 - 1)");
        }
        int[] order = shuffleSeed == null ? null : permutation((int) total, shuffleSeed);
        return new ExampleSource() {
            @Override
            public long size() {
                return starts[sources.size()];
            }

            @Override
            public Example get(long index) {
                if (index < 0 || index >= size()) {
                    throw new IndexOutOfBoundsException(
                            "example " + index + " of " + size() + " in " + this);
                }
                long at = order == null ? index : order[(int) index];
                int part = 0;
                while (at >= starts[part + 1]) {
                    part++;
                }
                return sources.get(part).get(at - starts[part]);
            }

            @Override
            public String toString() {
                return "ConcatSource(" + sources + (order == null ? "" : ", permuted") + ")";
            }
        };
    }

    /** A Fisher-Yates permutation of {@code [0, n)} drawn from {@code seed}. */
    private static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

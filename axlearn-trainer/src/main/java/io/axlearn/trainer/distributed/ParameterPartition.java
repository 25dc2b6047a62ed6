package io.axlearn.trainer.distributed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which rank owns which trainable parameter under a sharded optimiser (ZeRO stage 1): every
 * parameter belongs, whole, to exactly one rank, which alone keeps its optimiser state and applies
 * its update.
 *
 * <p>Whole parameters, not equal slices of one flat vector: a rank's optimiser then runs unchanged
 * on its own parameters (an optimiser update is per parameter, and the optimiser state keeps each
 * parameter's shape, so the checkpoint layout is the unsharded one), at the price of shards that
 * are only as even as the parameter sizes allow. The ranks are balanced greedily by size, as
 * fairscale's OSS does ({@code OSS.partition_parameters}), except that the largest parameters are
 * placed first (longest-processing-time order), each on the rank with the fewest bytes so far (the
 * lowest rank on a tie), which keeps the largest shard within one parameter of the mean. Every rank
 * computes the same partition from the same sizes, with no communication.
 */
public final class ParameterPartition {
    private final int ranks;
    private final SortedMap<String, Integer> owners;
    private final List<List<String>> paths;
    private final long[] bytes;

    private ParameterPartition(
            int ranks, SortedMap<String, Integer> owners, Map<String, Long> size) {
        this.ranks = ranks;
        this.owners = Collections.unmodifiableSortedMap(owners);
        List<List<String>> byRank = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            byRank.add(new ArrayList<>());
        }
        this.bytes = new long[ranks];
        owners.forEach(
                (path, r) -> {
                    byRank.get(r).add(path);
                    bytes[r] += size.get(path);
                });
        this.paths = byRank.stream().map(List::copyOf).toList();
    }

    /**
     * Balances {@code sizes} over {@code ranks} ranks: largest first, each onto the rank with the
     * fewest bytes so far.
     *
     * @param sizes bytes of each trainable parameter by path
     * @param ranks how many ranks share the optimiser, at least 1
     */
    public static ParameterPartition balanced(SortedMap<String, Long> sizes, int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("ranks must be at least 1, got " + ranks);
        }
        List<Map.Entry<String, Long>> largestFirst = new ArrayList<>(sizes.entrySet());
        largestFirst.sort(
                Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()));
        long[] load = new long[ranks];
        SortedMap<String, Integer> owners = new TreeMap<>();
        for (Map.Entry<String, Long> e : largestFirst) {
            int least = 0;
            for (int r = 1; r < ranks; r++) {
                if (load[r] < load[least]) {
                    least = r;
                }
            }
            owners.put(e.getKey(), least);
            load[least] += e.getValue();
        }
        return new ParameterPartition(ranks, owners, sizes);
    }

    /** The number of ranks. */
    public int ranks() {
        return ranks;
    }

    /** The owning rank of every partitioned parameter, by path. */
    public SortedMap<String, Integer> owners() {
        return owners;
    }

    /** Whether {@code path} is partitioned and owned by {@code rank}. */
    public boolean owns(int rank, String path) {
        Integer owner = owners.get(path);
        return owner != null && owner == rank;
    }

    /** The parameters {@code rank} owns, in path order. */
    public List<String> paths(int rank) {
        return paths.get(rank);
    }

    /** The bytes of the parameters {@code rank} owns. */
    public long bytes(int rank) {
        return bytes[rank];
    }

    /** The bytes of the largest shard. */
    public long largestBytes() {
        long max = 0;
        for (long b : bytes) {
            max = Math.max(max, b);
        }
        return max;
    }
}

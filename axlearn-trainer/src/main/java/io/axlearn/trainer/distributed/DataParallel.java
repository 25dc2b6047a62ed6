package io.axlearn.trainer.distributed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Data parallelism over a {@link Collective}: every rank holds the whole model, trains on its own
 * share of each global batch, and applies the same update, so the replicas stay equal.
 *
 * <ul>
 *   <li>{@link #broadcast}: rank 0's parameters and optimiser state to every rank at start, in
 *       place through the arrays' aliasing buffers.
 *   <li>{@link #reduce}: after backward, each rank's gradient is scaled by its share {@code W_r /
 *       ΣW} of the global loss weight (tokens, examples) and the gradients are summed across ranks
 *       in place, so every rank holds the gradient of the global weighted-mean loss: exactly that
 *       of one process with the whole global batch. The loss and metrics are combined the same way,
 *       each metric with its own weight. Gradients travel in flat buckets of about {@code
 *       bucketBytes} (fewer, larger messages); a gradient bigger than a bucket is reduced where it
 *       lies, with no copy.
 *   <li>{@link #checkReplicasAgree}: a cheap checksum of the parameters compared across ranks,
 *       which catches replicas drifting apart (a rank that skipped an update, non-deterministic
 *       kernels).
 * </ul>
 *
 * <p><b>Sharded optimiser state</b> ({@link #sharded}, ZeRO stage 1: Rajbhandari et al., <a
 * href="https://arxiv.org/abs/1910.02054">arXiv:1910.02054</a>): a {@link ParameterPartition} gives
 * every trainable parameter, whole, to one rank, which alone keeps its optimiser state and updates
 * it. {@link #reduce} then reduce-scatters the gradients instead of all-reducing them (each rank
 * receives the summed gradients of its own parameters only), {@link #sumOverRanks} makes the
 * gradient norm global, and after the update {@link #gatherParameters} all-gathers the updated
 * parameters so every rank holds the whole model again. Optimiser memory per rank falls to about
 * {@code 1/N}; the traffic is that of an all-reduce (a ring all-reduce is a reduce-scatter plus an
 * all-gather).
 *
 * <p>The shards are uneven (whole parameters), and MPI's reduce-scatter of equal blocks ({@code
 * MPI_Reduce_scatter_block}) needs equal ones, so each rank's parameters are read as one flat byte
 * vector ({@code FlatView}, through the arrays' aliasing buffers) and the exchange runs in rounds:
 * round {@code k} packs bytes {@code [k C, (k + 1) C)} of every rank's vector into one flat bucket
 * (zeros past a shorter vector's end) and reduce-scatters it, and likewise for the all-gather. A
 * round's block {@code C} is {@code bucketBytes / N}, so the buckets stay as large as the
 * all-reduce's, no rank ever copies the whole gradient into one buffer, and only the last rounds
 * carry padding (at most the difference between the largest shard and the others). Unlike {@code
 * MPI_Reduce_scatter} with per-rank counts, this needs no flat copy of all the gradients; unlike a
 * reduce to each owner ({@code MPI_Reduce}, as fairscale's ShardedDDP does), it keeps MPI's
 * bandwidth-optimal ring algorithm.
 */
public final class DataParallel {
    /** The default bucket size: 25 MiB, as PyTorch DDP's {@code bucket_cap_mb}. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final Collective collective;
    private final long bucketBytes;
    private final ParameterPartition partition;
    private ByteBuffer bucket;
    private ByteBuffer block;
    private long reduceNanos;
    private long reducedBytes;

    /**
     * @param collective the ranks
     * @param bucketBytes flat-bucket size for gradient all-reduce, in bytes
     */
    public DataParallel(Collective collective, long bucketBytes) {
        this(collective, bucketBytes, null);
    }

    private DataParallel(Collective collective, long bucketBytes, ParameterPartition partition) {
        if (bucketBytes < 4 || bucketBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "bucketBytes must be in [4, 2^31), got " + bucketBytes);
        }
        if (partition != null && partition.ranks() != collective.size()) {
            throw new IllegalArgumentException(
                    "partition over "
                            + partition.ranks()
                            + " ranks for a collective of "
                            + collective.size());
        }
        this.collective = collective;
        this.bucketBytes = bucketBytes;
        this.partition = partition;
    }

    /**
     * Data parallelism with the optimiser state sharded by {@code partition} (ZeRO stage 1; see the
     * class comment): gradients are reduce-scattered, each rank updates only the parameters it
     * owns, and {@link #gatherParameters} all-gathers them.
     *
     * @param collective the ranks
     * @param bucketBytes flat-bucket size of each reduce-scatter and all-gather round, in bytes
     * @param partition which rank owns which trainable parameter; over {@code collective.size()}
     *     ranks
     */
    public static DataParallel sharded(
            Collective collective, long bucketBytes, ParameterPartition partition) {
        return new DataParallel(collective, bucketBytes, partition);
    }

    /** Whether the optimiser state is sharded ({@link #sharded}). */
    public boolean isSharded() {
        return partition != null;
    }

    /** The partition of a sharded optimiser; empty when every rank keeps all the state. */
    public Optional<ParameterPartition> partition() {
        return Optional.ofNullable(partition);
    }

    /**
     * Whether this rank updates the parameter at {@code path}: always without sharding, else when
     * the partition gives it to this rank.
     */
    public boolean updatesHere(String path) {
        return partition == null || partition.owns(collective.rank(), path);
    }

    /** The collective. */
    public Collective collective() {
        return collective;
    }

    /** Overwrites {@code arrays} (by path, the same paths on every rank) with rank 0's values. */
    public void broadcast(SortedMap<String, NDArray> arrays) {
        for (NDArray a : arrays.values()) {
            collective.broadcast(a.toByteBuffer(true), 0);
        }
    }

    /**
     * The global loss and metrics, combined over the ranks with their weights.
     *
     * @param loss the weighted-mean loss over all ranks
     * @param metrics each metric's weighted mean over all ranks
     */
    public record Means(NDArray loss, Map<String, NDArray> metrics) {}

    /**
     * Turns this rank's gradients of its local weighted-mean loss into the gradients of the global
     * one, in place, and combines the loss and metrics. Sharded, only the gradients of this rank's
     * own parameters become global ones (a reduce-scatter); the others are left scaled but not
     * summed, and must not be used.
     *
     * @param gradients the gradient arrays by path (the same paths, shapes and order on every rank)
     * @param loss this rank's weighted-mean loss (scalar)
     * @param weight this rank's loss weight {@code W_r} (scalar)
     * @param metrics this rank's metrics (scalars)
     * @param metricWeights the weight of each metric (scalars)
     * @param manager where the combined scalars go
     */
    public Means reduce(
            SortedMap<String, NDArray> gradients,
            NDArray loss,
            NDArray weight,
            Map<String, NDArray> metrics,
            Map<String, NDArray> metricWeights,
            NDManager manager) {
        List<String> names = new ArrayList<>(metrics.keySet());
        ByteBuffer scalars = direct(8 * (2 + 2 * names.size()));
        double w = weight.toType(DataType.FLOAT64, false).getDouble();
        scalars.putDouble(0, w);
        scalars.putDouble(8, w * loss.toType(DataType.FLOAT64, false).getDouble());
        for (int i = 0; i < names.size(); i++) {
            double mw = metricWeights.get(names.get(i)).toType(DataType.FLOAT64, false).getDouble();
            double m = metrics.get(names.get(i)).toType(DataType.FLOAT64, false).getDouble();
            scalars.putDouble(16 + 16 * i, mw);
            scalars.putDouble(24 + 16 * i, mw * m);
        }
        collective.allReduce(scalars, Collective.DType.FLOAT64, Collective.Op.SUM);
        double total = scalars.getDouble(0);
        // Every rank weighing 0 (an all-padding step) leaves zero gradients, as one process would.
        float share = total > 0 ? (float) (w / total) : 0f;
        long t0 = System.nanoTime();
        for (NDArray g : gradients.values()) {
            g.muli(share);
        }
        if (partition == null) {
            sum(new ArrayList<>(gradients.values()));
        } else {
            reduceScatter(gradients);
        }
        reduceNanos += System.nanoTime() - t0;
        Map<String, NDArray> means = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            double mw = scalars.getDouble(16 + 16 * i);
            double value = mw > 0 ? scalars.getDouble(24 + 16 * i) / mw : 0;
            means.put(names.get(i), manager.create((float) value));
        }
        double meanLoss = total > 0 ? scalars.getDouble(8) / total : 0;
        return new Means(manager.create((float) meanLoss), means);
    }

    /** Sums {@code arrays} (float32) across ranks in place, bucket by bucket. */
    private void sum(List<NDArray> arrays) {
        List<ByteBuffer> pending = new ArrayList<>();
        long pendingBytes = 0;
        for (NDArray a : arrays) {
            if (a.getDataType() != DataType.FLOAT32) {
                throw new CollectiveException(
                        "data-parallel gradients must be float32, got " + a.getDataType());
            }
            ByteBuffer alias = a.toByteBuffer(true);
            reducedBytes += alias.capacity();
            if (alias.capacity() >= bucketBytes) {
                collective.allReduce(alias, Collective.DType.FLOAT32, Collective.Op.SUM);
                continue;
            }
            if (pendingBytes + alias.capacity() > bucketBytes) {
                flush(pending, pendingBytes);
                pending.clear();
                pendingBytes = 0;
            }
            pending.add(alias);
            pendingBytes += alias.capacity();
        }
        flush(pending, pendingBytes);
    }

    /** Packs {@code pending} into the bucket, all-reduces it, and copies the sums back. */
    private void flush(List<ByteBuffer> pending, long bytes) {
        if (pending.isEmpty()) {
            return;
        }
        if (bucket == null) {
            bucket = direct((int) bucketBytes);
        }
        ByteBuffer packed = bucket.duplicate().clear();
        for (ByteBuffer b : pending) {
            packed.put(b.duplicate().clear());
        }
        ByteBuffer used = bucket.duplicate().clear().limit((int) bytes).slice();
        collective.allReduce(used, Collective.DType.FLOAT32, Collective.Op.SUM);
        int offset = 0;
        for (ByteBuffer b : pending) {
            ByteBuffer from = used.duplicate().position(offset).limit(offset + b.capacity());
            b.duplicate().clear().put(from);
            offset += b.capacity();
        }
    }

    /**
     * Sums the gradients of each rank's own parameters onto that rank, in rounds of one flat bucket
     * each (see the class comment).
     */
    private void reduceScatter(SortedMap<String, NDArray> gradients) {
        List<FlatView> shards = new ArrayList<>();
        for (int r = 0; r < collective.size(); r++) {
            List<ByteBuffer> parts = new ArrayList<>();
            for (String path : partition.paths(r)) {
                NDArray g = gradients.get(path);
                if (g == null) {
                    throw new CollectiveException("no gradient for sharded parameter " + path);
                }
                if (g.getDataType() != DataType.FLOAT32) {
                    throw new CollectiveException(
                            "data-parallel gradients must be float32, got "
                                    + g.getDataType()
                                    + " for "
                                    + path);
                }
                parts.add(g.toByteBuffer(true));
            }
            shards.add(new FlatView(parts));
        }
        reduceScatterRounds(shards);
        reducedBytes += partition.largestBytes() * collective.size();
    }

    /**
     * After a sharded update: overwrites every rank's copy of each trainable parameter with its
     * owner's updated values, so all ranks hold the whole, equal model again.
     *
     * @param params every parameter by path (the partitioned ones are exchanged)
     */
    public void gatherParameters(SortedMap<String, NDArray> params) {
        long t0 = System.nanoTime();
        List<FlatView> shards = new ArrayList<>();
        for (int r = 0; r < collective.size(); r++) {
            List<ByteBuffer> parts = new ArrayList<>();
            for (String path : partition.paths(r)) {
                parts.add(params.get(path).toByteBuffer(true));
            }
            shards.add(new FlatView(parts));
        }
        allGather(shards, shards.get(collective.rank()), partition.largestBytes());
        reduceNanos += System.nanoTime() - t0;
    }

    /**
     * The whole optimiser state, gathered from its owners onto rank 0 (for a checkpoint in the
     * layout of an unsharded run); every rank must call it, and the other ranks get an empty map.
     * Slot {@code s} of parameter {@code p} is named {@code s/p}, shaped and typed like {@code p},
     * as {@link io.axlearn.core.learner.Optimizer#initState} makes it.
     *
     * @param shard this rank's optimiser state: the slots of the parameters it owns
     * @param slots the optimiser's slot names ({@code mu}, {@code nu})
     * @param params every parameter by path (for the shapes of the slots rank 0 receives)
     * @param manager where rank 0's received slots go; rank 0's own are the shard's arrays
     */
    public SortedMap<String, NDArray> gatherOptimizerState(
            SortedMap<String, NDArray> shard,
            List<String> slots,
            SortedMap<String, NDArray> params,
            NDManager manager) {
        boolean receive = collective.rank() == 0;
        SortedMap<String, NDArray> all = new TreeMap<>();
        List<FlatView> targets = new ArrayList<>();
        for (int r = 0; r < collective.size(); r++) {
            List<ByteBuffer> parts = new ArrayList<>();
            for (String path : partition.paths(r)) {
                for (String slot : slots) {
                    String name = slot + "/" + path;
                    NDArray a = shard.get(name);
                    if (r == collective.rank() && a == null) {
                        throw new CollectiveException(
                                "no optimizer state " + name + " on its owner");
                    }
                    if (a == null && receive) {
                        NDArray p = params.get(path);
                        a = manager.zeros(p.getShape(), p.getDataType());
                        a.setName(name);
                    }
                    if (a != null) {
                        all.put(name, a);
                        parts.add(a.toByteBuffer(true));
                    }
                }
            }
            targets.add(new FlatView(parts));
        }
        allGather(
                receive ? targets : null,
                targets.get(collective.rank()),
                partition.largestBytes() * slots.size());
        return receive ? all : new TreeMap<>();
    }

    /**
     * Reduce-scatter in rounds: round {@code k} packs block {@code k} of every rank's vector into
     * the bucket, reduce-scatters it, and writes this rank's summed block back into its vector.
     */
    private void reduceScatterRounds(List<FlatView> shards) {
        int n = collective.size();
        FlatView mine = shards.get(collective.rank());
        long largest = 0;
        for (FlatView v : shards) {
            largest = Math.max(largest, v.length());
        }
        int chunk = chunkBytes();
        for (long from = 0; from < largest; from += chunk) {
            int c = (int) Math.min(chunk, largest - from);
            ByteBuffer packed = bucketSlice(n * c);
            for (int r = 0; r < n; r++) {
                shards.get(r).read(from, packed.slice(r * c, c));
            }
            ByteBuffer summed = blockSlice(c);
            collective.reduceScatter(packed, summed, Collective.DType.FLOAT32, Collective.Op.SUM);
            mine.write(from, summed);
        }
    }

    /**
     * All-gather in rounds of {@code largest / chunk}: every rank sends block {@code k} of {@code
     * mine} and, when {@code targets} is given, writes every other rank's block {@code k} into its
     * target vector.
     */
    private void allGather(List<FlatView> targets, FlatView mine, long largest) {
        int n = collective.size();
        int me = collective.rank();
        int chunk = chunkBytes();
        for (long from = 0; from < largest; from += chunk) {
            int c = (int) Math.min(chunk, largest - from);
            ByteBuffer send = blockSlice(c);
            mine.read(from, send);
            ByteBuffer packed = bucketSlice(n * c);
            collective.allGather(send, packed);
            if (targets != null) {
                for (int r = 0; r < n; r++) {
                    if (r != me) {
                        targets.get(r).write(from, packed.slice(r * c, c));
                    }
                }
            }
        }
    }

    /** Bytes of each rank's block per round: {@code bucketBytes / N}, a multiple of 8. */
    private int chunkBytes() {
        return (int) Math.max(8, bucketBytes / collective.size() / 8 * 8);
    }

    private ByteBuffer bucketSlice(int bytes) {
        if (bucket == null || bucket.capacity() < bytes) {
            bucket = direct((int) Math.max(bytes, Math.min(bucketBytes, Integer.MAX_VALUE)));
        }
        return bucket.slice(0, bytes).order(ByteOrder.nativeOrder());
    }

    private ByteBuffer blockSlice(int bytes) {
        if (block == null || block.capacity() < bytes) {
            block = direct(Math.max(bytes, chunkBytes()));
        }
        return block.slice(0, bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * This rank's sum of squared gradients (a float scalar) summed over every rank, on the same
     * manager: with a sharded optimiser each rank squares only its own (summed) gradients, and this
     * makes the gradient norm, clipping included, the global one.
     */
    public NDArray sumOverRanks(NDArray shardSum) {
        ByteBuffer b = direct(8);
        b.putDouble(0, shardSum.toType(DataType.FLOAT64, false).getDouble());
        collective.allReduce(b, Collective.DType.FLOAT64, Collective.Op.SUM);
        return shardSum.getManager().create((float) b.getDouble(0));
    }

    /**
     * Each rank's number, gathered onto every rank (rank {@code r}'s at index {@code r}); e.g. each
     * rank's optimiser-state bytes.
     */
    public long[] gatherLongs(long value) {
        ByteBuffer mine = direct(8);
        mine.putLong(0, value);
        ByteBuffer all = direct(8 * collective.size());
        collective.allGather(mine, all);
        long[] out = new long[collective.size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = all.getLong(8 * r);
        }
        return out;
    }

    /**
     * Each rank's bytes (of any lengths), gathered onto every rank, rank {@code r}'s at {@code r}.
     */
    public List<byte[]> gatherBytes(byte[] mine) {
        long[] lengths = gatherLongs(mine.length);
        int longest = 0;
        for (long n : lengths) {
            longest = (int) Math.max(longest, n);
        }
        ByteBuffer send = direct(longest);
        send.put(0, mine);
        ByteBuffer all = direct(longest * collective.size());
        collective.allGather(send, all);
        List<byte[]> out = new ArrayList<>();
        for (int r = 0; r < lengths.length; r++) {
            byte[] b = new byte[(int) lengths[r]];
            all.get(r * longest, b);
            out.add(b);
        }
        return out;
    }

    /** Nanoseconds spent scaling and all-reducing gradients so far. */
    public long reduceNanos() {
        return reduceNanos;
    }

    /** Gradient bytes all-reduced so far (this rank's share of the traffic is about twice this). */
    public long reducedBytes() {
        return reducedBytes;
    }

    /**
     * Compares a checksum of {@code params} (the sum of all values and of their absolute values, in
     * float64) across ranks.
     *
     * @throws CollectiveException on every rank if any rank's checksum differs from rank 0's by
     *     more than a relative {@code 1e-6} (all-reduce may round differently per rank for 3 or
     *     more ranks; replicas that really drifted differ by far more)
     */
    public void checkReplicasAgree(SortedMap<String, NDArray> params, long step) {
        double sum = 0;
        double abs = 0;
        for (NDArray p : params.values()) {
            try (NDManager scratch = p.getManager().newSubManager()) {
                NDArray d = p.toType(DataType.FLOAT64, false);
                d.attach(scratch);
                NDArray s = d.sum();
                NDArray a = d.abs().sum();
                sum += s.getDouble();
                abs += a.getDouble();
            }
        }
        ByteBuffer mine = direct(16);
        mine.putDouble(0, sum).putDouble(8, abs);
        ByteBuffer all = direct(16 * collective.size());
        collective.allGather(mine, all);
        double sum0 = all.getDouble(0);
        double abs0 = all.getDouble(8);
        double tolerance = 1e-6 * Math.max(abs0, Double.MIN_NORMAL);
        for (int r = 1; r < collective.size(); r++) {
            double s = all.getDouble(16 * r);
            double a = all.getDouble(16 * r + 8);
            if (Math.abs(s - sum0) > tolerance || Math.abs(a - abs0) > tolerance) {
                throw new CollectiveException(
                        String.format(
                                Locale.ROOT,
                                "replicas differ after step %d: parameter checksum (sum, sum of"
                                        + " |x|) is (%.9g, %.9g) on rank 0 and (%.9g, %.9g) on rank %d",
                                step,
                                sum0,
                                abs0,
                                s,
                                a,
                                r));
            }
        }
    }

    /**
     * Whether any rank passed {@code true}: lets all ranks agree to stop after the same step when a
     * signal reached only some of them.
     */
    public boolean anyRank(boolean flag) {
        ByteBuffer b = direct(4);
        b.putInt(0, flag ? 1 : 0);
        collective.allReduce(b, Collective.DType.INT32, Collective.Op.MAX);
        return b.getInt(0) != 0;
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
}

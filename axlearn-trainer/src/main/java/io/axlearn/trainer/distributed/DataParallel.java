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
import java.util.SortedMap;

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
 */
public final class DataParallel {
    /** The default bucket size: 25 MiB, as PyTorch DDP's {@code bucket_cap_mb}. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final Collective collective;
    private final long bucketBytes;
    private ByteBuffer bucket;
    private long reduceNanos;
    private long reducedBytes;

    /**
     * @param collective the ranks
     * @param bucketBytes flat-bucket size for gradient all-reduce, in bytes
     */
    public DataParallel(Collective collective, long bucketBytes) {
        if (bucketBytes < 4 || bucketBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "bucketBytes must be in [4, 2^31), got " + bucketBytes);
        }
        this.collective = collective;
        this.bucketBytes = bucketBytes;
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
     * one, in place, and combines the loss and metrics.
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
        sum(new ArrayList<>(gradients.values()));
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

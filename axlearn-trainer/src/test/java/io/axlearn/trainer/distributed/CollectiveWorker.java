package io.axlearn.trainer.distributed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.ndarray.Engines;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One rank of {@link MpiCollectiveTest}: checks every collective against values computed by hand
 * (sizes 0, 1 and odd, float32, float64, int64) and an in-place all-reduce on a DJL gradient's
 * aliasing buffer; prints {@code rank R of N ok} or exits 1 with what differed.
 */
public final class CollectiveWorker {
    private CollectiveWorker() {}

    public static void main(String[] args) {
        Collective c = Collective.fromEnvironment();
        int rank = c.rank();
        int n = c.size();
        try {
            for (int count : new int[] {0, 1, 7, 1001}) {
                ByteBuffer f = direct(4 * count);
                for (int i = 0; i < count; i++) {
                    f.putFloat(4 * i, rank + i * 0.5f);
                }
                c.allReduce(f, Collective.DType.FLOAT32, Collective.Op.SUM);
                for (int i = 0; i < count; i++) {
                    float want = n * (n - 1) / 2f + n * i * 0.5f;
                    check(
                            f.getFloat(4 * i) == want,
                            "float32 sum[" + i + "]=" + f.getFloat(4 * i) + " want " + want);
                }
            }
            ByteBuffer d = direct(8 * 3);
            for (int i = 0; i < 3; i++) {
                d.putDouble(8 * i, rank * 1e-3 + i);
            }
            c.allReduce(d, Collective.DType.FLOAT64, Collective.Op.MAX);
            check(d.getDouble(8 * 2) == (n - 1) * 1e-3 + 2, "float64 max " + d.getDouble(16));
            ByteBuffer l = direct(8);
            l.putLong(0, (1L << 40) + rank);
            c.allReduce(l, Collective.DType.INT64, Collective.Op.MIN);
            check(l.getLong(0) == 1L << 40, "int64 min " + l.getLong(0));

            ByteBuffer b = direct(5);
            for (int i = 0; i < 5; i++) {
                b.put(i, (byte) (rank == n - 1 ? 40 + i : 0));
            }
            c.broadcast(b, n - 1);
            check(b.get(4) == 44, "broadcast from the last rank gave " + b.get(4));

            ByteBuffer send = direct(8);
            send.putLong(0, 100L + rank);
            ByteBuffer all = direct(8 * n);
            c.allGather(send, all);
            for (int r = 0; r < n; r++) {
                check(all.getLong(8 * r) == 100L + r, "allGather[" + r + "]=" + all.getLong(8 * r));
            }

            int block = 3;
            ByteBuffer rs = direct(4 * block * n);
            for (int i = 0; i < block * n; i++) {
                rs.putFloat(4 * i, i + rank);
            }
            ByteBuffer mine = direct(4 * block);
            c.reduceScatter(rs, mine, Collective.DType.FLOAT32, Collective.Op.SUM);
            for (int i = 0; i < block; i++) {
                float want = n * (rank * block + i) + n * (n - 1) / 2f;
                check(
                        mine.getFloat(4 * i) == want,
                        "reduceScatter[" + i + "]=" + mine.getFloat(4 * i));
            }

            // The gradient of sum(w * (rank + 1)) is rank + 1 everywhere; all-reduced in place
            // through the aliasing buffer, .grad holds the sum over ranks, n (n + 1) / 2.
            try (NDManager m = Engines.pytorch().newBaseManager()) {
                NDArray w = m.zeros(new Shape(4, 5));
                w.setRequiresGradient(true);
                try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                    gc.backward(w.mul(rank + 1f).sum());
                }
                try (NDArray g = w.getGradient()) {
                    c.allReduce(g.toByteBuffer(true), Collective.DType.FLOAT32, Collective.Op.SUM);
                }
                try (NDArray again = w.getGradient()) {
                    float[] values = again.toFloatArray();
                    float want = n * (n + 1) / 2f;
                    check(
                            Arrays.stream(toDoubles(values)).allMatch(v -> v == want),
                            "gradient after in-place all-reduce "
                                    + Arrays.toString(values)
                                    + " want "
                                    + want);
                }
            }
            c.barrier();
            System.out.println(
                    "rank " + rank + " of " + n + " ok (local rank " + c.localRank() + ")");
            c.close();
        } catch (RuntimeException | AssertionError e) {
            System.out.println("rank " + rank + " failed: " + e.getMessage());
            c.abort(1);
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}

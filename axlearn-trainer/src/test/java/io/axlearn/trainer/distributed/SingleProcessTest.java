package io.axlearn.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.ndarray.Engines;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SingleProcessTest {
    @Test
    void oneRankLeavesReductionsAndCopiesGathers() {
        Collective c = SingleProcess.INSTANCE;
        assertEquals(0, c.rank());
        assertEquals(1, c.size());
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        b.putFloat(0, 1.5f).putFloat(4, -2f);
        c.allReduce(b, Collective.DType.FLOAT32, Collective.Op.SUM);
        assertEquals(-2f, b.getFloat(4));
        ByteBuffer out = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        c.allGather(b, out);
        assertEquals(1.5f, out.getFloat(0));
        assertThrows(
                IllegalArgumentException.class, () -> c.allGather(b, ByteBuffer.allocateDirect(4)));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        c.allReduce(
                                ByteBuffer.allocateDirect(6),
                                Collective.DType.FLOAT32,
                                Collective.Op.SUM));
    }

    /**
     * The fact in-place gradient all-reduce rests on: {@code getGradient().toByteBuffer(true)}
     * aliases the parameter's {@code .grad}, so writing through it changes what the next {@code
     * getGradient()} (and so the optimiser) reads.
     */
    @Test
    void gradientBufferAliasesTheRealGradient() {
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            NDArray w = m.ones(new Shape(2, 3));
            w.setRequiresGradient(true);
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                gc.backward(w.mul(2f).sum());
            }
            try (NDArray g = w.getGradient()) {
                ByteBuffer alias = g.toByteBuffer(true).order(ByteOrder.nativeOrder());
                assertEquals(true, alias.isDirect());
                assertEquals(24, alias.capacity());
                assertEquals(2f, alias.getFloat(0));
                for (int i = 0; i < 6; i++) {
                    alias.putFloat(4 * i, 10f + i);
                }
            }
            try (NDArray again = w.getGradient()) {
                assertArrayEquals(new float[] {10, 11, 12, 13, 14, 15}, again.toFloatArray());
            }
        }
    }

    @Test
    void launcherEnvironmentGivesTheWorldSize() {
        assertEquals(1, MpiEnvironment.worldSize(Map.of()));
        assertEquals(4, MpiEnvironment.worldSize(Map.of("OMPI_COMM_WORLD_SIZE", "4")));
        assertEquals(3, MpiEnvironment.worldSize(Map.of("PMI_SIZE", "3")));
        assertEquals(8, MpiEnvironment.worldSize(Map.of("PMIX_RANK", "0", "SLURM_NTASKS", "8")));
        assertEquals(1, MpiEnvironment.worldSize(Map.of("SLURM_NTASKS", "8")));
    }
}

package io.axlearn.core.ndarray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.axlearn.core.testing.Collect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class OwnedArraysTest {

    /**
     * The gradient of {@code sum(f(x))} at {@code x = [1, 2, 3]}, with every unreachable direct
     * buffer freed between the forward and the backward pass.
     */
    private static float[] gradientAfterCollection(BiFunction<NDManager, NDArray, NDArray> f) {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            NDArray x = OwnedArrays.copyOf(m, new float[] {1f, 2f, 3f}, new Shape(3));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray loss = f.apply(m, x).sum();
                assertTrue(Collect.unreachableDirectBuffers() > 0, "nothing was collected");
                gc.backward(loss);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void djlNumberOperandsAndClosedJavaArrays_areFreedUnderTheAutogradGraph() {
        // What OwnedArrays exists for: DJL turns 0.5f into an array aliasing a direct buffer and
        // closes it when mul returns; autograd keeps it for the backward pass, and the collection
        // frees the memory under it. If this starts to pass, DJL keeps such operands alive.
        float[] number = gradientAfterCollection((m, x) -> x.mul(0.5f));
        assertFalse(Arrays.equals(new float[] {0.5f, 0.5f, 0.5f}, number), Arrays.toString(number));
        float[] closed =
                gradientAfterCollection(
                        (m, x) -> {
                            try (NDArray c = m.create(new float[] {2f, 3f, 4f}, new Shape(3))) {
                                return x.mul(c);
                            }
                        });
        assertFalse(Arrays.equals(new float[] {2f, 3f, 4f}, closed), Arrays.toString(closed));
    }

    @Test
    void scalar_operandsSurviveCollectionBeforeBackward() {
        assertArrayEquals(
                new float[] {0.5f, 0.5f, 0.5f},
                gradientAfterCollection((m, x) -> x.mul(OwnedArrays.scalar(x, 0.5f))));
        assertArrayEquals(
                new float[] {0.25f, 0.25f, 0.25f},
                gradientAfterCollection((m, x) -> x.div(OwnedArrays.scalar(x, 4f))));
        assertArrayEquals(
                new float[] {3f, 12f, 27f},
                gradientAfterCollection((m, x) -> x.pow(OwnedArrays.scalar(x, 3f))));
    }

    @Test
    void copyOf_closedInTheGraph_survivesCollectionBeforeBackward() {
        assertArrayEquals(
                new float[] {2f, 3f, 4f},
                gradientAfterCollection(
                        (m, x) -> {
                            try (NDArray c =
                                    OwnedArrays.copyOf(m, new float[] {2f, 3f, 4f}, new Shape(3))) {
                                return x.mul(c);
                            }
                        }));
    }

    @Test
    void scalar_takesTheDataTypeManagerAndDeviceOfItsPartner() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            NDArray ints = m.create(new int[] {1, 2});
            NDArray s = OwnedArrays.scalar(ints, 7f);
            assertEquals(new Shape(), s.getShape());
            assertEquals(DataType.INT32, s.getDataType());
            assertEquals(ints.getManager(), s.getManager());
            assertEquals(ints.getDevice(), s.getDevice());
            assertEquals(7, s.getInt());
        }
    }

    @Test
    void copyOf_directBuffer_isIndependentOfTheBuffer() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            buf.asIntBuffer().put(new int[] {5, 6, 7});
            NDArray aliased = m.create(buf, new Shape(3), DataType.INT32);
            NDArray copy = OwnedArrays.copyOf(m, buf, new Shape(3), DataType.INT32);
            buf.asIntBuffer().put(new int[] {-1, -1, -1});
            // DJL's create aliases the buffer; the copy does not.
            assertArrayEquals(new int[] {-1, -1, -1}, aliased.toIntArray());
            assertArrayEquals(new int[] {5, 6, 7}, copy.toIntArray());
            assertEquals(DataType.INT32, copy.getDataType());
        }
    }

    @Test
    void copyOf_intValues_areInt32() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            NDArray a = OwnedArrays.copyOf(m, new int[] {1, 2, 3, 4}, new Shape(2, 2));
            assertEquals(DataType.INT32, a.getDataType());
            assertEquals(new Shape(2, 2), a.getShape());
            assertArrayEquals(new int[] {1, 2, 3, 4}, a.toIntArray());
        }
    }
}

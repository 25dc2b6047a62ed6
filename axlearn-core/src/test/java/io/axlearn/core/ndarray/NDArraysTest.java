package io.axlearn.core.ndarray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.testing.TorchGolden;
import org.junit.jupiter.api.Test;

class NDArraysTest {

    @Test
    void copyValues_copiesInPlace_forMatricesScalarsAndIntegers() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray target = m.zeros(new Shape(2, 3));
            NDArray source = m.arange(6f).reshape(2, 3);
            NDArrays.copyValues(source, target);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, target.toFloatArray());
            source.addi(1);
            assertEquals(0f, target.getFloat(0, 0), "a copy, not a view");

            NDArray scalar = m.create(0f);
            NDArrays.copyValues(m.create(7f), scalar);
            assertEquals(7f, scalar.getFloat());

            NDArray ints = m.zeros(new Shape(4), DataType.INT64);
            NDArrays.copyValues(m.arange(4).toType(DataType.INT64, false), ints);
            assertArrayEquals(new long[] {0, 1, 2, 3}, ints.toLongArray());
        }
    }

    @Test
    void copyValues_refusesOtherShapesAndTypes() {
        try (NDManager m = TorchGolden.manager()) {
            NDArray target = m.zeros(new Shape(2, 3));
            IllegalArgumentException shape =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> NDArrays.copyValues(m.zeros(new Shape(3, 2)), target));
            assertEquals("cannot copy float32(3, 2) into float32(2, 3)", shape.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> NDArrays.copyValues(m.zeros(new Shape(2, 3), DataType.INT32), target));
        }
    }
}

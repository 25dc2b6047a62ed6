package io.axlearn.core.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.testing.Collect;
import io.axlearn.core.testing.TorchGolden;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BatchTest {

    @Test
    void toArrays_copyIntoEngineMemory_soTheBuffersMayBeReusedAndCollected() {
        ByteBuffer ids = ByteBuffer.allocateDirect(6 * 4).order(ByteOrder.nativeOrder());
        ids.asIntBuffer().put(new int[] {3, 1, 4, 1, 5, 9});
        ByteBuffer weight = ByteBuffer.allocateDirect(2 * 4).order(ByteOrder.nativeOrder());
        weight.asFloatBuffer().put(new float[] {1f, 0f});
        Batch batch =
                new Batch(
                        new TreeMap<>(Map.of("id", ids, Batch.WEIGHT, weight)),
                        Map.of("id", new Shape(2, 3), Batch.WEIGHT, new Shape(2)),
                        Map.of("id", DataType.INT32, Batch.WEIGHT, DataType.FLOAT32),
                        InputState.start(0));
        try (NDManager m = TorchGolden.manager()) {
            Map<String, NDArray> arrays = batch.toArrays(m);
            ids.asIntBuffer().put(new int[] {-1, -1, -1, -1, -1, -1});
            weight.asFloatBuffer().put(new float[] {Float.NaN, Float.NaN});
            ids = null;
            weight = null;
            batch = null;
            Collect.unreachableDirectBuffers();
            assertEquals(new Shape(2, 3), arrays.get("id").getShape());
            assertArrayEquals(new int[] {3, 1, 4, 1, 5, 9}, arrays.get("id").toIntArray());
            assertArrayEquals(new float[] {1f, 0f}, arrays.get(Batch.WEIGHT).toFloatArray());
        }
    }
}

package io.axlearn.core.ndarray;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    @Test
    void mallocInUse_followsATensorsAllocationAndRelease() {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager()) {
            long before = NativeMemory.mallocInUseBytes();
            NDArray big = m.ones(new Shape(16, 1024, 1024)); // 64 MiB of float32
            long during = NativeMemory.mallocInUseBytes();
            big.close();
            long after = NativeMemory.mallocInUseBytes();
            long mib = 1 << 20;
            assertTrue(during - before >= 63 * mib, "grew by " + (during - before) / mib + " MiB");
            assertTrue(during - after >= 63 * mib, "fell by " + (during - after) / mib + " MiB");
        }
    }
}

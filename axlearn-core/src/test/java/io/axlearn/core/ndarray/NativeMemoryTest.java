package io.axlearn.core.ndarray;

import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    private static final long MIB = 1 << 20;

    /**
     * The JVM's own threads (the JIT compilers' arenas above all) malloc and free megabytes at any
     * moment, so one reading can be off by a few MiB. The tensor is large beside that noise, the
     * bound leaves 8 MiB for it, and a reading spoiled anyway is taken again, up to five times.
     */
    @Test
    void mallocInUse_followsATensorsAllocationAndRelease() {
        Engines.pytorch();
        long allocated = 256 * MIB; // 64 Mi float32
        long slack = 8 * MIB;
        String last = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            try (NDManager m = NDManager.newBaseManager()) {
                long before = NativeMemory.mallocInUseBytes();
                NDArray big = m.ones(new Shape(64, 1024, 1024));
                long during = NativeMemory.mallocInUseBytes();
                big.close();
                long after = NativeMemory.mallocInUseBytes();
                long grew = during - before;
                long fell = during - after;
                if (Math.abs(grew - allocated) <= slack && Math.abs(fell - allocated) <= slack) {
                    return;
                }
                last = "grew by " + grew / MIB + " MiB, fell by " + fell / MIB + " MiB";
            }
        }
        fail("a 256 MiB tensor, five readings, the last: " + last);
    }
}

package io.axlearn.core.ndarray;

import com.sun.jna.Structure;

/**
 * Native memory in use by this process as glibc's allocator counts it: where PyTorch's CPU tensors
 * live. Unlike resident memory it does not count what the allocator keeps after a free (which the
 * launcher's {@code GLIBC_TUNABLES} make it keep), so it measures live allocations only; benchmarks
 * sample it for peak memory and leak tests compare it over many steps. Linux with glibc 2.33 or
 * later ({@code mallinfo2}).
 */
public final class NativeMemory {
    private NativeMemory() {}

    /**
     * Bytes currently allocated through malloc, all arenas and mmapped chunks included ({@code
     * uordblks + hblkhd} of {@code mallinfo2}). Takes each arena's lock briefly; about a
     * microsecond per arena.
     */
    public static long mallocInUseBytes() {
        MallInfo2 info = LibC.INSTANCE.mallinfo2();
        return info.uordblks + info.hblkhd;
    }

    /** glibc's {@code struct mallinfo2}: ten {@code size_t} counters. */
    @Structure.FieldOrder({
        "arena",
        "ordblks",
        "smblks",
        "hblks",
        "hblkhd",
        "usmblks",
        "fsmblks",
        "uordblks",
        "fordblks",
        "keepcost"
    })
    public static class MallInfo2 extends Structure {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;

        /** Returned by value. */
        public static class ByValue extends MallInfo2 implements Structure.ByValue {}
    }
}

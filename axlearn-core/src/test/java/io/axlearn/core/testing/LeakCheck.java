package io.axlearn.core.testing;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Measures what a leak would grow: resident memory and the arrays alive on a manager. */
public final class LeakCheck {
    private LeakCheck() {}

    /** Resident set size of this process in KiB, from {@code /proc/self/status} (Linux). */
    public static long residentKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /** glibc's {@code struct mallinfo2}: ten {@code size_t} counters. */
    @com.sun.jna.Structure.FieldOrder({
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
    public static class MallInfo2 extends com.sun.jna.Structure {
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
        public static class ByValue extends MallInfo2 implements com.sun.jna.Structure.ByValue {}
    }

    /** The C library's allocator statistics. */
    interface CLibrary extends com.sun.jna.Library {
        CLibrary INSTANCE = com.sun.jna.Native.load("c", CLibrary.class);

        MallInfo2.ByValue mallinfo2();
    }

    /**
     * Bytes currently allocated through glibc's malloc, in KiB (all arenas, mmapped chunks
     * included): where PyTorch's CPU tensors live. Unlike resident memory, it does not count memory
     * the allocator keeps after a free, so it measures live allocations only. Collects garbage
     * first so that Java objects owning native memory have been cleaned.
     */
    public static long mallocInUseKib() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(20); // lets cleaners of direct buffers run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        MallInfo2 info = CLibrary.INSTANCE.mallinfo2();
        return (info.uordblks + info.hblkhd) / 1024;
    }

    /** Number of arrays alive on {@code manager} and its sub-managers. */
    public static int liveArrays(NDManager manager) {
        return manager.getManagedArrays().size();
    }
}

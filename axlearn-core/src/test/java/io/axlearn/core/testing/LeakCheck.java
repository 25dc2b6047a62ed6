package io.axlearn.core.testing;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.ndarray.NativeMemory;
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
        return NativeMemory.mallocInUseBytes() / 1024;
    }

    /** Number of arrays alive on {@code manager} and its sub-managers. */
    public static int liveArrays(NDManager manager) {
        return manager.getManagedArrays().size();
    }
}

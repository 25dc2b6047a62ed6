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

    /**
     * Resident memory outside the Java heap, in KiB: {@link #residentKib()} minus the heap the JVM
     * has committed. Native allocations (tensors) show here; heap growth from garbage does not.
     */
    public static long nativeResidentKib() {
        System.gc();
        return residentKib() - Runtime.getRuntime().totalMemory() / 1024;
    }

    /** Number of arrays alive on {@code manager} and its sub-managers. */
    public static int liveArrays(NDManager manager) {
        return manager.getManagedArrays().size();
    }
}

package io.axlearn.core.ndarray;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child-JVM probe of {@link RuntimeSettingsTest}: starts the engine the way an embedding program
 * does (twice, to show the settings apply once), prints each setting's outcome, the page faults of
 * re-allocating a freed 40 MB buffer, and runs one matrix multiply and one convolution so that
 * {@code MKL_VERBOSE} and {@code ONEDNN_VERBOSE} report the code paths that MKL and oneDNN chose.
 */
public final class RuntimeSettingsProbe {
    /** Bytes of the re-allocated buffer: above glibc's largest dynamic mmap threshold (32 MiB). */
    static final long BUFFER = 40L << 20;

    private RuntimeSettingsProbe() {}

    public static void main(String[] args) throws Exception {
        Engines.pytorch();
        Engines.pytorch();
        for (RuntimeSettings.Outcome o : RuntimeSettings.applyOnce()) {
            System.out.println("outcome " + o.setting() + "=" + o.status());
        }
        // Round 1 maps the memory; rounds 2-5 fault again only if malloc gave it back on free.
        long faults = 0;
        String arena = "";
        for (int round = 1; round <= 5; round++) {
            long before = minorFaults();
            long address = Native.malloc(BUFFER);
            new Pointer(address).setMemory(0, BUFFER, (byte) 1);
            Native.free(address);
            if (round > 1) {
                faults += minorFaults() - before;
            } else {
                arena = inBrkHeap(address) ? "main" : "thread";
            }
        }
        System.out.println("arena=" + arena);
        System.out.println("faultsPerRound=" + faults / 4);
        try (NDManager manager = Engines.pytorch().newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(64, 64));
            x.matMul(x).toFloatArray();
            printVendorCheckCalls();
            NDArray image = manager.randomNormal(new Shape(2, 4, 8, 8));
            NDArray kernel = manager.randomNormal(new Shape(4, 4, 3, 3));
            Conv2d.conv2d(image, kernel, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                    .get(0)
                    .toFloatArray();
        }
        System.out.println("probe done");
    }

    /**
     * How often MKL called the test override's vendor check, where the test loaded one that counts
     * its calls ({@code axlearn_test_vendor_calls}); nothing otherwise.
     */
    static void printVendorCheckCalls() {
        try {
            Function calls = NativeLibrary.getProcess().getFunction("axlearn_test_vendor_calls");
            System.out.println("vendorCheckCalls=" + calls.invokeInt(new Object[0]));
        } catch (UnsatisfiedLinkError noCountingOverride) {
            // The real override or none: nothing to count.
        }
    }

    /** This process's minor page faults so far ({@code /proc/self/stat} field 10). */
    static long minorFaults() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }

    /** Whether {@code address} lies in the process's brk heap, glibc's main arena. */
    static boolean inBrkHeap(long address) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.endsWith("[heap]")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                return Long.compareUnsigned(address, start) >= 0
                        && Long.compareUnsigned(address, end) < 0;
            }
        }
        return false;
    }
}

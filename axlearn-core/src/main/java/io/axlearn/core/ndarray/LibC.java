package io.axlearn.core.ndarray;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few functions of the C library (glibc) that axlearn calls through JNA: allocator statistics
 * and tuning, and the process environment that native libraries read with {@code getenv}.
 */
interface LibC extends Library {
    /** The process's C library. */
    LibC INSTANCE = Native.load("c", LibC.class);

    /** {@code mallopt} parameter: the size from which malloc maps a request on its own. */
    int M_MMAP_THRESHOLD = -3;

    /** {@code mallopt} parameter: free memory at the top of the heap above which it is trimmed. */
    int M_TRIM_THRESHOLD = -1;

    /** {@code mallopt} parameter: extra memory to ask the kernel for, and keep, at the top. */
    int M_TOP_PAD = -2;

    /** glibc's allocator counters (2.33 and later). */
    NativeMemory.MallInfo2.ByValue mallinfo2();

    /**
     * Sets an allocator parameter.
     *
     * @return 1 on success, 0 when glibc rejects the value
     */
    int mallopt(int param, int value);

    /** glibc's version, {@code "2.36"}; absent from other C libraries. */
    String gnu_get_libc_version();

    /** The C environment's value of {@code name}, or null; not Java's start-up copy. */
    String getenv(String name);

    /** Sets {@code name} in the C environment; keeps an existing value when overwrite is 0. */
    int setenv(String name, String value, int overwrite);
}

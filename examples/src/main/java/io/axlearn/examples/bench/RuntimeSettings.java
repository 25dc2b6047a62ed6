package io.axlearn.examples.bench;

import com.sun.jna.NativeLibrary;
import io.axlearn.core.ndarray.Engines;
import java.util.Locale;

/** The runtime settings a benchmark figure depends on, printed beside it. */
final class RuntimeSettings {
    private RuntimeSettings() {}

    /**
     * {@code settings: threads=... GLIBC_TUNABLES=... LD_PRELOAD=... ONEDNN_MAX_CPU_ISA=...}; the
     * oneDNN value is the one in the C environment, where the engine's runtime settings may have
     * set it after the JVM started.
     */
    static String describe() {
        Engines.pytorch();
        return String.format(
                Locale.ROOT,
                "settings: threads=%s GLIBC_TUNABLES=%s LD_PRELOAD=%s ONEDNN_MAX_CPU_ISA=%s",
                System.getProperty("ai.djl.pytorch.num_threads", "default"),
                System.getenv().getOrDefault("GLIBC_TUNABLES", "unset"),
                System.getenv().getOrDefault("LD_PRELOAD", "unset"),
                onednnIsa());
    }

    /** {@code ONEDNN_MAX_CPU_ISA} as libtorch sees it (C {@code getenv}), or {@code unset}. */
    private static String onednnIsa() {
        try {
            String v =
                    NativeLibrary.getInstance("c")
                            .getFunction("getenv")
                            .invokeString(new Object[] {"ONEDNN_MAX_CPU_ISA"}, false);
            return v == null ? "unset" : v;
        } catch (LinkageError e) {
            return System.getenv().getOrDefault("ONEDNN_MAX_CPU_ISA", "unset");
        }
    }
}

package io.axlearn.examples.bench;

/** The runtime settings a benchmark figure depends on, printed beside it. */
final class RuntimeSettings {
    private RuntimeSettings() {}

    /** {@code settings: threads=... GLIBC_TUNABLES=... LD_PRELOAD=...}. */
    static String describe() {
        return String.format(
                "settings: threads=%s GLIBC_TUNABLES=%s LD_PRELOAD=%s ONEDNN_MAX_CPU_ISA=%s",
                System.getProperty("ai.djl.pytorch.num_threads", "default"),
                System.getenv().getOrDefault("GLIBC_TUNABLES", "unset"),
                System.getenv().getOrDefault("LD_PRELOAD", "unset"),
                System.getenv().getOrDefault("ONEDNN_MAX_CPU_ISA", "unset"));
    }
}

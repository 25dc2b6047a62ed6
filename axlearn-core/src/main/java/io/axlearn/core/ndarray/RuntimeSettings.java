package io.axlearn.core.ndarray;

import io.axlearn.core.io.NativeBuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native runtime settings of the {@code ./axlearn} launcher, applied from inside the JVM when
 * the engine starts, for programs that embed axlearn in their own {@code java} process.
 *
 * <p>{@link Engines#pytorch()} calls {@link #applyOnce()} before DJL loads libtorch. Each setting
 * is skipped when the process already has it (the launcher's {@code GLIBC_TUNABLES} and {@code
 * LD_PRELOAD}, or the user's {@code ONEDNN_MAX_CPU_ISA}), so under the launcher only the oneDNN
 * decision, which the launcher leaves to this class, is made here:
 *
 * <ul>
 *   <li><b>malloc thresholds</b>: {@code mallopt(M_MMAP_THRESHOLD)} and {@code
 *       mallopt(M_TRIM_THRESHOLD)} at 2 GiB, so glibc keeps freed tensor buffers instead of
 *       returning them to the kernel and faulting them in again every step (the launcher's {@code
 *       glibc.malloc.mmap_threshold} and {@code trim_threshold}).
 *   <li><b>malloc top pad</b>: {@code glibc.malloc.arena_max=1} cannot be applied in a running JVM:
 *       glibc fixes the arena limit when the JVM's first threads allocate, and a thread keeps the
 *       arena it got. What {@code arena_max=1} buys is that the step thread's memory no longer
 *       lives in a thread arena, whose 64 MiB heaps are unmapped whenever they empty, whatever the
 *       trim threshold says. {@code mallopt(M_TOP_PAD)} of 64 MiB keeps those heaps: glibc deletes
 *       a heap only when the heap below it still leaves the top pad free. Measured on the GPT step
 *       of docs/performance.md: 3,040 page faults a step without it, 447 with it, 497 with the
 *       launcher's tunables.
 *   <li><b>MKL vendor check</b> (AMD CPUs): {@link MklFastpath} builds the one-function override
 *       and loads it with global symbol visibility before libtorch, the in-process equivalent of
 *       the launcher's {@code LD_PRELOAD}.
 *   <li><b>oneDNN ISA cap</b> (AMD CPUs whose uncapped convolutions fail {@link OnednnCheck}'s
 *       self-check, run once per CPU in a child JVM and cached): {@code
 *       setenv("ONEDNN_MAX_CPU_ISA", "AVX")} in the C environment before libtorch loads; oneDNN
 *       reads it with {@code getenv} at its first primitive (verified with {@code ONEDNN_VERBOSE}:
 *       {@code isa:Intel AVX}).
 * </ul>
 *
 * <p>Each setting applied, or not applied, is logged once at INFO, one line each, naming the fix
 * (the environment variable to set) where it could not be applied; settings already in place or not
 * needed on this CPU are logged at DEBUG. Off with {@code -Daxlearn.runtimeSettings=false} or
 * {@code AXLEARN_RUNTIME_SETTINGS=0}.
 */
public final class RuntimeSettings {
    /** System property that turns the settings off when {@code false}. */
    public static final String SWITCH_PROPERTY = "axlearn.runtimeSettings";

    /** Environment variable that turns the settings off when {@code 0}. */
    public static final String SWITCH_ENV = "AXLEARN_RUNTIME_SETTINGS";

    /**
     * System property for oneDNN's ISA cap: a value of {@code ONEDNN_MAX_CPU_ISA} ({@code AVX},
     * {@code AVX2}, ...) to set on any CPU, {@code none}, or {@code check}: cap at {@code AVX} only
     * if {@link OnednnCheck}'s self-check of the uncapped convolutions fails on this CPU. Default:
     * {@code check} on AMD CPUs (the AVX2/AVX-512 convolution backward-data kernels of this PyTorch
     * build were wrong on some, see docs/layers.md), none elsewhere.
     */
    public static final String ONEDNN_ISA_PROPERTY = "axlearn.onednnMaxCpuIsa";

    /** The {@link #ONEDNN_ISA_PROPERTY} value that decides by {@link OnednnCheck}. */
    public static final String CHECK = "check";

    /** The oneDNN environment variable. */
    public static final String ONEDNN_ISA_ENV = "ONEDNN_MAX_CPU_ISA";

    /** Both malloc thresholds: 2 GiB - 1, the largest value {@code mallopt}'s int takes. */
    static final int THRESHOLD = Integer.MAX_VALUE;

    /** The largest mmap threshold glibc before 2.35 accepted on 64-bit: 32 MiB. */
    static final int OLD_GLIBC_MMAP_THRESHOLD_MAX = 32 << 20;

    /** The top pad: one thread-arena heap (glibc's HEAP_MAX_SIZE on 64-bit), 64 MiB. */
    static final int TOP_PAD = 64 << 20;

    /** The launcher's tunables, for the fix lines. */
    static final String LAUNCHER_TUNABLES =
            "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295"
                    + ":glibc.malloc.arena_max=1";

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeSettings.class);

    private static List<Outcome> outcomes;

    private RuntimeSettings() {}

    /** What happened to one setting. */
    public enum Status {
        /** Applied from inside the JVM now. */
        APPLIED,
        /** Already in place (the launcher's environment, the user's own value). */
        ALREADY_SET,
        /** Not needed on this CPU. */
        NOT_NEEDED,
        /** Could not be applied; the line says how to get it. */
        NOT_APPLIED,
        /** Turned off by the user. */
        OFF
    }

    /**
     * One setting's outcome.
     *
     * @param setting short name ({@code "malloc thresholds"})
     * @param status what happened
     * @param detail one sentence: what was done, or why not and the fix
     */
    public record Outcome(String setting, Status status, String detail) {
        /** The log line. */
        public String line() {
            return "runtime setting " + setting + ": " + detail;
        }
    }

    /**
     * Applies the settings the first time it is called, logs one line per setting and returns the
     * outcomes; later calls return the same outcomes and do nothing.
     */
    public static synchronized List<Outcome> applyOnce() {
        if (outcomes == null) {
            outcomes = List.copyOf(apply());
            for (Outcome o : outcomes) {
                if (o.status() == Status.APPLIED || o.status() == Status.NOT_APPLIED) {
                    LOG.info(o.line());
                } else {
                    LOG.debug(o.line());
                }
            }
        }
        return outcomes;
    }

    private static List<Outcome> apply() {
        String property = System.getProperty(SWITCH_PROPERTY, "");
        if (property.equalsIgnoreCase("false") || "0".equals(System.getenv(SWITCH_ENV))) {
            return List.of(
                    new Outcome(
                            "all",
                            Status.OFF,
                            "off (" + SWITCH_PROPERTY + "=false or " + SWITCH_ENV + "=0)"));
        }
        boolean libtorchLoaded = libtorchLoaded();
        List<Outcome> result = new ArrayList<>();
        LibC libc = glibc();
        if (libc == null) {
            result.add(
                    new Outcome(
                            "malloc",
                            Status.NOT_APPLIED,
                            "not applied: the C library is not glibc; nothing to tune"));
        } else {
            result.add(thresholds(libc));
            result.add(topPad(libc));
        }
        String vendor = cpuVendor();
        result.add(MklFastpath.apply(vendor, libtorchLoaded));
        result.add(onednnCap(libc, vendor, libtorchLoaded));
        return result;
    }

    private static Outcome thresholds(LibC libc) {
        String tunables = System.getenv().getOrDefault("GLIBC_TUNABLES", "");
        if (tunables.contains("glibc.malloc.mmap_threshold")
                && tunables.contains("glibc.malloc.trim_threshold")) {
            return new Outcome(
                    "malloc thresholds", Status.ALREADY_SET, "set by GLIBC_TUNABLES, left as is");
        }
        int mmap = THRESHOLD;
        if (libc.mallopt(LibC.M_MMAP_THRESHOLD, mmap) != 1) {
            mmap = OLD_GLIBC_MMAP_THRESHOLD_MAX;
            if (libc.mallopt(LibC.M_MMAP_THRESHOLD, mmap) != 1) {
                mmap = 0;
            }
        }
        boolean trim = libc.mallopt(LibC.M_TRIM_THRESHOLD, THRESHOLD) == 1;
        if (mmap == 0 || !trim) {
            return new Outcome(
                    "malloc thresholds",
                    Status.NOT_APPLIED,
                    "glibc "
                            + libc.gnu_get_libc_version()
                            + " rejected mallopt("
                            + (mmap == 0 ? "M_MMAP_THRESHOLD" : "M_TRIM_THRESHOLD")
                            + "); start java with GLIBC_TUNABLES="
                            + LAUNCHER_TUNABLES);
        }
        return new Outcome(
                "malloc thresholds",
                Status.APPLIED,
                "mallopt mmap_threshold="
                        + mmap
                        + " trim_threshold="
                        + THRESHOLD
                        + " (freed tensor buffers stay with malloc between steps)");
    }

    private static Outcome topPad(LibC libc) {
        String tunables = System.getenv().getOrDefault("GLIBC_TUNABLES", "");
        if (tunables.contains("glibc.malloc.arena_max")
                || tunables.contains("glibc.malloc.top_pad")) {
            return new Outcome(
                    "malloc arenas", Status.ALREADY_SET, "set by GLIBC_TUNABLES, left as is");
        }
        if (libc.mallopt(LibC.M_TOP_PAD, TOP_PAD) != 1) {
            return new Outcome(
                    "malloc arenas",
                    Status.NOT_APPLIED,
                    "glibc rejected mallopt(M_TOP_PAD); start java with GLIBC_TUNABLES="
                            + LAUNCHER_TUNABLES);
        }
        return new Outcome(
                "malloc arenas",
                Status.APPLIED,
                "mallopt top_pad="
                        + TOP_PAD
                        + " in place of glibc.malloc.arena_max=1, which a running JVM cannot"
                        + " take: thread arenas keep their heaps between steps (for the exact"
                        + " launcher setting start java with GLIBC_TUNABLES="
                        + LAUNCHER_TUNABLES
                        + ")");
    }

    private static Outcome onednnCap(LibC libc, String vendor, boolean libtorchLoaded) {
        String requested = System.getProperty(ONEDNN_ISA_PROPERTY);
        String existing =
                libc == null ? System.getenv(ONEDNN_ISA_ENV) : libc.getenv(ONEDNN_ISA_ENV);
        if (existing != null && !existing.isEmpty()) {
            return new Outcome(
                    "oneDNN ISA cap",
                    Status.ALREADY_SET,
                    ONEDNN_ISA_ENV + "=" + existing + " is set, left as is");
        }
        boolean amd = MklFastpath.AMD.equals(vendor);
        String isa = requested != null ? requested : amd ? CHECK : "none";
        if (isa.equalsIgnoreCase("none")) {
            return new Outcome(
                    "oneDNN ISA cap",
                    Status.NOT_NEEDED,
                    "not needed on " + vendor + " (its convolution goldens pass uncapped)");
        }
        String why = " (" + ONEDNN_ISA_PROPERTY + ")";
        if (isa.equalsIgnoreCase(CHECK)) {
            OnednnCheck.Verdict v = OnednnCheck.verdict(NativeBuild.directory());
            String source = v.cache() == null ? "" : " (" + v.cache() + ")";
            if (v.correct()) {
                return new Outcome(
                        "oneDNN ISA cap",
                        Status.NOT_NEEDED,
                        "not needed: oneDNN's convolutions passed the self-check uncapped on this "
                                + vendor
                                + " CPU"
                                + source
                                + ": "
                                + v.detail());
            }
            isa = "AVX";
            why =
                    " (oneDNN's convolutions failed the self-check uncapped on this "
                            + vendor
                            + " CPU"
                            + source
                            + ": "
                            + v.detail()
                            + ")";
        }
        isa = isa.toUpperCase(Locale.ROOT);
        if (libc == null || libc.setenv(ONEDNN_ISA_ENV, isa, 0) != 0) {
            return new Outcome(
                    "oneDNN ISA cap",
                    Status.NOT_APPLIED,
                    "could not set it in this process; start java with "
                            + ONEDNN_ISA_ENV
                            + "="
                            + isa);
        }
        String when =
                libtorchLoaded
                        ? " (libtorch was already loaded: takes effect only if no convolution has"
                                + " run yet; to be sure, start java with "
                                + ONEDNN_ISA_ENV
                                + "="
                                + isa
                                + ")"
                        : " before libtorch loaded";
        return new Outcome(
                "oneDNN ISA cap",
                Status.APPLIED,
                "setenv " + ONEDNN_ISA_ENV + "=" + isa + when + why);
    }

    /** glibc through JNA, or null on another C library. */
    static LibC glibc() {
        try {
            LibC libc = LibC.INSTANCE;
            return libc.gnu_get_libc_version() != null ? libc : null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return null;
        }
    }

    /** Whether libtorch is already mapped into this process (someone used DJL before us). */
    static boolean libtorchLoaded() {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains("libtorch_cpu.so");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The CPU's {@code vendor_id} ({@code GenuineIntel}, {@code AuthenticAMD}), or "unknown". */
    static String cpuVendor() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("vendor_id")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // Not Linux: unknown vendor, the per-CPU settings stay off.
        }
        return "unknown";
    }
}

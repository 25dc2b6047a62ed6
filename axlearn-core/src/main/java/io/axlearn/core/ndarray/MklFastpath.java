package io.axlearn.core.ndarray;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import io.axlearn.core.io.DebianPackages;
import io.axlearn.core.io.NativeBuild;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The MKL vendor-check override ({@code mkl_amd_fastpath.c}, one function returning 1) loaded into
 * a JVM that was started without the launcher's {@code LD_PRELOAD}.
 *
 * <p>The MKL inside {@code libtorch_cpu.so} calls {@code mkl_serv_intel_cpu_true()} through the
 * dynamic linker and on a non-Intel CPU takes a generic SSE2 path. A library opened with {@code
 * RTLD_GLOBAL} joins the global symbol scope, which the linker searches before libtorch's own (DJL
 * loads libtorch locally), so its definition wins as long as MKL has not asked yet: before libtorch
 * loads, or after but before the first matrix multiply (lazy binding). Verified on an Intel CPU
 * with a variant returning 0: {@code MKL_VERBOSE=1} then reports "Intel(R) Streaming SIMD
 * Extensions 2 (Intel(R) SSE2) enabled processors" instead of AVX-512, loaded either way.
 *
 * <p>The library is compiled with the system C compiler ({@code cc}, or {@code gcc} installed with
 * apt-get when running as root) once per source version into {@code AXLEARN_NATIVE_DIR}, else
 * {@code ~/.cache/axlearn/native}. {@code -Daxlearn.mklFastpathLibrary=FILE} loads a library built
 * elsewhere instead; {@code AXLEARN_MKL_FASTPATH=0} (the launcher's switch) or {@code
 * -Daxlearn.mklFastpath=off} turns it off, {@code -Daxlearn.mklFastpath=on} loads it on any CPU.
 */
final class MklFastpath {
    /** {@code vendor_id} of AMD CPUs. */
    static final String AMD = "AuthenticAMD";

    /** {@code auto} (AMD only, the default), {@code on} (any CPU) or {@code off}. */
    static final String MODE_PROPERTY = "axlearn.mklFastpath";

    /** A prebuilt override to load instead of building one. */
    static final String LIBRARY_PROPERTY = "axlearn.mklFastpathLibrary";

    /** The launcher's switch: {@code 0} turns the override off. */
    static final String SWITCH_ENV = "AXLEARN_MKL_FASTPATH";

    /** The symbol MKL asks. */
    static final String SYMBOL = "mkl_serv_intel_cpu_true";

    private static final String SOURCE = "mkl_amd_fastpath.c";

    /** {@code RTLD_NOW | RTLD_GLOBAL}. */
    private static final int GLOBAL_NOW = 0x2 | 0x100;

    private static final String SETTING = "MKL vendor check";

    /** Held so that JNA never closes the override while libtorch uses it. */
    private static NativeLibrary loaded;

    private MklFastpath() {}

    /** Loads the override if this CPU and the switches want it; never throws. */
    static RuntimeSettings.Outcome apply(String vendor, boolean libtorchLoaded) {
        String mode =
                System.getProperty(
                        MODE_PROPERTY, "0".equals(System.getenv(SWITCH_ENV)) ? "off" : "auto");
        if (mode.equals("off")) {
            return outcome(RuntimeSettings.Status.OFF, "override off (" + mode + ")");
        }
        if (!mode.equals("on") && !AMD.equals(vendor)) {
            return outcome(
                    RuntimeSettings.Status.NOT_NEEDED,
                    "not needed on " + vendor + " (MKL takes its fast path there)");
        }
        if (globallyDefined()) {
            return outcome(
                    RuntimeSettings.Status.ALREADY_SET,
                    SYMBOL + " already defined by a preloaded library (LD_PRELOAD), left as is");
        }
        String fix =
                "; start java with LD_PRELOAD=<a build of "
                        + SOURCE
                        + "> (what ./axlearn does) or pass -D"
                        + LIBRARY_PROPERTY
                        + "=FILE";
        Path library;
        try {
            String prebuilt = System.getProperty(LIBRARY_PROPERTY);
            library = prebuilt != null ? Path.of(prebuilt) : build();
        } catch (IOException | RuntimeException e) {
            return outcome(
                    RuntimeSettings.Status.NOT_APPLIED,
                    "not applied, MKL stays on its generic path: " + e.getMessage() + fix);
        }
        try {
            loaded =
                    NativeLibrary.getInstance(
                            library.toString(), Map.of(Library.OPTION_OPEN_FLAGS, GLOBAL_NOW));
        } catch (UnsatisfiedLinkError e) {
            return outcome(
                    RuntimeSettings.Status.NOT_APPLIED,
                    "cannot load " + library + ": " + e.getMessage() + fix);
        }
        String when =
                libtorchLoaded
                        ? " after libtorch loaded: applies only if no matrix multiply has run"
                                + " yet; to be sure start java with LD_PRELOAD="
                                + library
                        : " before libtorch";
        return outcome(
                RuntimeSettings.Status.APPLIED,
                "loaded "
                        + library
                        + " with global symbols"
                        + when
                        + " (MKL picks its kernels by instruction set, not vendor)");
    }

    private static RuntimeSettings.Outcome outcome(RuntimeSettings.Status status, String detail) {
        return new RuntimeSettings.Outcome(SETTING, status, detail);
    }

    /** Whether a library in the global scope (a preload) already defines the symbol. */
    private static boolean globallyDefined() {
        try {
            NativeLibrary.getProcess().getFunction(SYMBOL);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** The built override, compiling it first if this source version was never built here. */
    static Path build() throws IOException {
        NativeBuild build =
                new NativeBuild(
                        MklFastpath.class,
                        SOURCE,
                        "axlearn_mkl_fastpath",
                        List.of(compiler(), "-shared", "-fPIC", "-O2"),
                        List.of(),
                        "");
        return build.library();
    }

    /** {@code cc} or {@code gcc} on the PATH, installing gcc first where this process can. */
    private static String compiler() throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            for (String name : List.of("cc", "gcc")) {
                if (DebianPackages.onPath(name)) {
                    return name;
                }
            }
            if (attempt == 0
                    && !(DebianPackages.canInstall() && DebianPackages.install(List.of("gcc")))) {
                break;
            }
        }
        throw new IOException("no C compiler (cc or gcc) on the PATH to build " + SOURCE);
    }
}

package io.axlearn.trainer.distributed;

import io.axlearn.core.io.DebianPackages;
import io.axlearn.core.io.NativeBuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the JNI shim ({@code axlearn_mpi.c}, carried in the jar) with {@code mpicc} against the
 * running JDK's JNI headers, once per source version, into {@link NativeBuild#directory()}: {@code
 * AXLEARN_NATIVE_DIR} when set (the {@code ./axlearn} launcher sets {@code target/native} of the
 * checkout), else {@code ~/.cache/axlearn/native}. Ranks starting together build it once (a file
 * lock) and never see a half-written library (written aside, then renamed).
 *
 * <p>With no {@code mpicc}, running as root where {@code apt-get} exists, it installs Debian's
 * {@code openmpi-bin libopenmpi-dev} first (with an {@code apt-get update} if the first try fails).
 */
public final class MpiShim {
    /** The Debian packages that provide {@code mpirun}, {@code mpicc} and {@code mpi.h}. */
    public static final List<String> PACKAGES = List.of("openmpi-bin", "libopenmpi-dev");

    private static final String SOURCE = "axlearn_mpi.c";

    private MpiShim() {}

    /**
     * Whether {@code mpirun} and {@code mpicc} are on the PATH, after installing them when running
     * as root with apt-get.
     *
     * @return null when MPI is usable, else why not (one line)
     */
    public static String ensureInstalled() {
        if (DebianPackages.onPath("mpicc") && DebianPackages.onPath("mpirun")) {
            return null;
        }
        if (!DebianPackages.canInstall()) {
            return "MPI is not installed (no mpirun/mpicc on PATH); install "
                    + String.join(" ", PACKAGES)
                    + " (Debian/Ubuntu) or load your cluster's MPI module";
        }
        if (!DebianPackages.install(PACKAGES)) {
            return "apt-get could not install " + String.join(" ", PACKAGES);
        }
        return DebianPackages.onPath("mpicc") && DebianPackages.onPath("mpirun")
                ? null
                : "apt-get installed " + String.join(" ", PACKAGES) + " but mpicc is still missing";
    }

    /**
     * The path of the built shim, building it first if needed.
     *
     * @throws CollectiveException if MPI is missing or the build fails
     */
    public static Path library() {
        String missing = ensureInstalled();
        if (missing != null) {
            throw new CollectiveException(missing);
        }
        Path include = Path.of(System.getProperty("java.home"), "include");
        NativeBuild build =
                new NativeBuild(
                        MpiShim.class,
                        SOURCE,
                        "axlearn_mpi",
                        List.of(
                                "mpicc",
                                "-shared",
                                "-fPIC",
                                "-O2",
                                "-I" + include,
                                "-I" + include.resolve("linux")),
                        List.of("-ldl"),
                        System.getProperty("java.home"));
        try {
            if (!build.isBuilt() && !Files.isRegularFile(include.resolve("jni.h"))) {
                throw new CollectiveException(
                        "the Java runtime at "
                                + System.getProperty("java.home")
                                + " has no JNI headers (include/jni.h); run on a JDK, not a JRE");
            }
            return build.library();
        } catch (IOException e) {
            throw new CollectiveException(
                    "cannot build the MPI shim in "
                            + NativeBuild.directory()
                            + ": "
                            + e.getMessage());
        }
    }
}

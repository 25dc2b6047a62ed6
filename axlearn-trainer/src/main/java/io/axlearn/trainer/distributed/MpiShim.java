package io.axlearn.trainer.distributed;

import io.axlearn.core.io.DebianPackages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the JNI shim ({@code axlearn_mpi.c}, carried in the jar) with {@code mpicc} against the
 * running JDK's JNI headers, once per source version, into {@link #directory()}: {@code
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

    /** Where the built shim goes. */
    public static Path directory() {
        String dir = System.getenv("AXLEARN_NATIVE_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "axlearn", "native");
    }

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
        byte[] source = source();
        Path dir = directory();
        Path library = dir.resolve("libaxlearn_mpi-" + digest(source) + ".so");
        if (Files.isRegularFile(library)) {
            return library;
        }
        try {
            Files.createDirectories(dir);
            try (FileChannel channel =
                            FileChannel.open(
                                    dir.resolve(".axlearn_mpi.lock"),
                                    StandardOpenOption.CREATE,
                                    StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                if (!Files.isRegularFile(library)) {
                    build(source, library);
                }
            }
        } catch (IOException e) {
            throw new CollectiveException(
                    "cannot build the MPI shim in " + dir + ": " + e.getMessage());
        }
        return library;
    }

    private static void build(byte[] source, Path library) throws IOException {
        Path dir = library.getParent();
        Path c = dir.resolve(SOURCE);
        Files.write(c, source);
        Path include = Path.of(System.getProperty("java.home"), "include");
        if (!Files.isRegularFile(include.resolve("jni.h"))) {
            throw new CollectiveException(
                    "the Java runtime at "
                            + System.getProperty("java.home")
                            + " has no JNI headers (include/jni.h); run on a JDK, not a JRE");
        }
        Path partial = Files.createTempFile(dir, "libaxlearn_mpi", ".so.partial");
        List<String> command = new ArrayList<>();
        command.addAll(List.of("mpicc", "-shared", "-fPIC", "-O2"));
        command.add("-I" + include);
        command.add("-I" + include.resolve("linux"));
        command.addAll(List.of("-o", partial.toString(), c.toString(), "-ldl"));
        Path log = dir.resolve("axlearn_mpi.build.log");
        int rc = run(command, log);
        if (rc != 0) {
            Files.deleteIfExists(partial);
            String tail =
                    Files.readAllLines(log).stream().limit(3).reduce("", (a, b) -> a + " " + b);
            throw new CollectiveException(
                    "mpicc could not build " + c + " (exit " + rc + "; " + log + "):" + tail);
        }
        Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] source() {
        try (InputStream in = MpiShim.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new CollectiveException(
                        SOURCE
                                + " is missing from the classpath (a broken build of axlearn-trainer)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CollectiveException("cannot read " + SOURCE + ": " + e.getMessage());
        }
    }

    private static String digest(byte[] source) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(System.getProperty("java.home").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int run(List<String> command, Path log) throws IOException {
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running mpicc", e);
        }
    }
}

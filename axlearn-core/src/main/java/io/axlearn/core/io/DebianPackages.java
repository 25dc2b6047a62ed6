package io.axlearn.core.io;

import io.axlearn.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs the Debian packages a data source needs on first use: when a package's probe file is
 * missing and the process runs as root with {@code apt-get}, it runs {@code apt-get install} (and,
 * if that fails on a machine without package lists, {@code apt-get update} first).
 */
public final class DebianPackages {
    private DebianPackages() {}

    /**
     * Makes sure {@code probe} exists, installing {@code pkg} if needed and possible.
     *
     * @param probe a file the package installs (an executable, a data file)
     * @param pkg the Debian package
     * @param what who needs it, for the error ({@code "audio.digits"})
     * @throws ConfigException naming the package when it is missing and cannot be installed
     */
    public static void require(Path probe, String pkg, String what) {
        if (Files.exists(probe)) {
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            System.err.println("axlearn: installing " + pkg + " with apt-get...");
            if (!apt("install", "-y", "-qq", pkg)) {
                apt("update", "-qq");
                apt("install", "-y", "-qq", pkg);
            }
        }
        if (!Files.exists(probe)) {
            throw new ConfigException(
                    what
                            + " needs the Debian package "
                            + pkg
                            + " ("
                            + probe
                            + " is missing); install it with `apt-get install "
                            + pkg
                            + "` as root");
        }
    }

    private static boolean apt(String... args) {
        List<String> command = new ArrayList<>();
        command.add("apt-get");
        command.addAll(List.of(args));
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            System.err.println("axlearn: apt-get failed: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

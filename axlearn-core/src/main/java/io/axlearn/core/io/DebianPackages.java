package io.axlearn.core.io;

import io.axlearn.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs Debian packages with {@code apt-get} at first use, the one way this project installs
 * system software: only when running as root on a machine with {@code apt-get}; otherwise the
 * caller tells the user which packages to install.
 */
public final class DebianPackages {
    private DebianPackages() {}

    /** Whether {@code program} is an executable file in one of the PATH's folders. */
    public static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@link #install} can run here: root, with {@code /usr/bin/apt-get}. */
    public static boolean canInstall() {
        boolean root = "root".equals(System.getProperty("user.name"));
        return root && Files.isExecutable(Path.of("/usr/bin/apt-get"));
    }

    /**
     * Installs {@code packages} (without recommended ones), printing one line first; a fresh
     * machine may have no package lists yet, so a failed install updates them and tries once more.
     *
     * @return whether apt-get succeeded
     */
    public static boolean install(List<String> packages) {
        System.err.println(
                "axlearn: installing " + String.join(" ", packages) + " with apt-get...");
        List<String> install =
                new ArrayList<>(List.of("install", "-y", "-qq", "--no-install-recommends"));
        install.addAll(packages);
        return apt(install) || (apt(List.of("update", "-qq")) && apt(install));
    }

    /**
     * Makes sure {@code probe} exists, installing {@code pkg} ({@link #install}) if it is missing
     * and this process can.
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
        if (canInstall()) {
            install(List.of(pkg));
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

    private static boolean apt(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add("apt-get");
        command.addAll(args);
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(command)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            p.getOutputStream().close();
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

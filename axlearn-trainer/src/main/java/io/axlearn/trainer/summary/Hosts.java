package io.axlearn.trainer.summary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's name, found without the network. */
public final class Hosts {
    private Hosts() {}

    /**
     * This machine's name as the kernel holds it, found without a name service (which {@code
     * InetAddress.getLocalHost()} asks, failing where the name does not resolve): {@code
     * /proc/sys/kernel/hostname} on Linux, else the {@code HOSTNAME} or {@code COMPUTERNAME}
     * environment variable, else {@code localhost}; characters other than letters, digits, {@code
     * .}, {@code _} and {@code -} become {@code _}.
     */
    public static String name() {
        String name = "";
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not Linux: fall back to the environment
        }
        for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String value = System.getenv(variable);
            if (name.isEmpty() && value != null) {
                name = value.trim();
            }
        }
        return name.isEmpty() ? "localhost" : name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}

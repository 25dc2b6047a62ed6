package io.axlearn.trainer.summary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's name, found without the network (no DNS look-up). */
public final class Hosts {
    private Hosts() {}

    /** The kernel's host name, else {@code $HOSTNAME}, else {@code localhost}. */
    public static String name() {
        try {
            String n = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!n.isEmpty()) {
                return n;
            }
        } catch (IOException | SecurityException e) {
            // not Linux, or not readable: fall through
        }
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env.strip();
    }
}

package io.axlearn.trainer.summary;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes scalar summaries of one stream ({@code train}, or an evaler's name) to {@code
 * <trainerDir>/summaries/<name>/}: {@code metrics.jsonl} (one JSON object a line, {@code step}
 * first, appended across restarts) and a TensorBoard event file ({@code
 * events.out.tfevents.<seconds>.<host>}, a new one per writer). Both are flushed after every write,
 * so a killed process loses at most the record being written. Non-finite values are written as
 * {@code null} in JSON and as the float value in TensorBoard.
 */
public final class SummaryWriter implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Writer jsonl;
    private final OutputStream events;

    /** Opens the writer for stream {@code name} under {@code trainerDir}. */
    public SummaryWriter(Path trainerDir, String name) {
        this.dir = trainerDir.resolve("summaries").resolve(name);
        try {
            Files.createDirectories(dir);
            jsonl =
                    Files.newBufferedWriter(
                            dir.resolve("metrics.jsonl"),
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
            long seconds = System.currentTimeMillis() / 1000;
            String host = hostName();
            Path file = dir.resolve("events.out.tfevents." + seconds + "." + host);
            for (int i = 1; Files.exists(file); i++) {
                file = dir.resolve("events.out.tfevents." + seconds + "." + host + "." + i);
            }
            events =
                    new BufferedOutputStream(
                            Files.newOutputStream(file, StandardOpenOption.CREATE_NEW));
            EventFile.writeRecord(
                    events, EventFile.versionEvent(System.currentTimeMillis() / 1000.0));
            events.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot open summaries in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The directory this writer writes to. */
    public Path dir() {
        return dir;
    }

    /** Writes {@code scalars} (sorted by name) for {@code step}. */
    public void write(long step, Map<String, Double> scalars) {
        Map<String, Double> sorted = new TreeMap<>(scalars);
        ObjectNode line = JSON.createObjectNode();
        line.put("step", step);
        sorted.forEach(
                (k, v) -> {
                    if (Double.isFinite(v)) {
                        line.put(k, v);
                    } else {
                        line.putNull(k);
                    }
                });
        try {
            jsonl.write(JSON.writeValueAsString(line));
            jsonl.write('\n');
            jsonl.flush();
            EventFile.writeRecord(
                    events,
                    EventFile.scalarEvent(System.currentTimeMillis() / 1000.0, step, sorted));
            events.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write summaries to " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            jsonl.close();
            events.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * This machine's name as the kernel holds it, found without a name service (which {@code
     * InetAddress.getLocalHost()} asks, failing where the name does not resolve): {@code
     * /proc/sys/kernel/hostname} on Linux, else the {@code HOSTNAME} or {@code COMPUTERNAME}
     * environment variable, else {@code localhost}; characters other than letters, digits, {@code
     * .}, {@code _} and {@code -} become {@code _}.
     */
    static String hostName() {
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

package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-node Slurm cluster on this machine for one test, started by {@code
 * tools/slurm/local-cluster.sh} in a folder of its own (which installs Slurm and munge with apt-get
 * when it runs as root) and stopped by {@link #close}, jobs and daemons alike. Skips the calling
 * test, with the script's reason, where Slurm cannot be installed or started as root.
 */
final class LocalSlurm implements AutoCloseable {
    private static final Path SCRIPT =
            Path.of("").toAbsolutePath().getParent().resolve("tools/slurm/local-cluster.sh");
    private static final Pattern STATE = Pattern.compile("JobState=(\\S+)");

    private final Path dir;
    private final Map<String, String> env;

    private LocalSlurm(Path dir) {
        this.dir = dir;
        this.env = Map.of("SLURM_CONF", dir.resolve("slurm.conf").toString());
    }

    /** Output and exit status of a command. */
    record Result(int status, String output) {}

    /**
     * Starts the cluster in {@code dir}, on free ports, with a node of at least {@code cpus} CPUs
     * (more than the machine has are shared); skips the test where it cannot.
     */
    static LocalSlurm start(Path dir, int cpus) {
        LocalSlurm slurm = new LocalSlurm(dir);
        Result r =
                run(
                        List.of(SCRIPT.toString(), "start", dir.toString()),
                        Map.of(
                                "SLURM_LOCAL_PORT",
                                Integer.toString(freePortPair()),
                                "SLURM_LOCAL_CPUS",
                                Integer.toString(
                                        Math.max(
                                                cpus, Runtime.getRuntime().availableProcessors()))),
                        120);
        String reason = r.output().strip().lines().reduce((a, b) -> b).orElse("(no output)");
        assumeTrue(r.status() != 3, () -> "Slurm tests skipped: " + reason);
        if (r.status() != 0) {
            slurm.close();
            throw new AssertionError("local Slurm did not start: " + r.output());
        }
        return slurm;
    }

    /** Runs a Slurm client command ({@code sbatch}, {@code scontrol}, ...) in {@code cwd}. */
    Result client(Path cwd, long timeoutSeconds, String... command) {
        List<String> c = new ArrayList<>(List.of("/bin/sh", "-c", "cd \"$0\" && exec \"$@\""));
        c.add(cwd.toString());
        c.addAll(List.of(command));
        return run(c, env, timeoutSeconds);
    }

    /** The state of job {@code id} ({@code RUNNING}, {@code PENDING}, {@code COMPLETED}, ...). */
    String jobState(String id) {
        Result r = client(dir, 30, "scontrol", "show", "job", "-o", id);
        Matcher m = STATE.matcher(r.output());
        if (r.status() != 0 || !m.find()) {
            throw new AssertionError("scontrol show job " + id + ": " + r.output());
        }
        return m.group(1);
    }

    @Override
    public void close() {
        Result r = run(List.of(SCRIPT.toString(), "stop", dir.toString()), Map.of(), 60);
        if (r.status() != 0) {
            throw new AssertionError("local Slurm did not stop: " + r.output());
        }
    }

    /** A free port whose successor is free too (slurmctld's and slurmd's). */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket first = new ServerSocket(0)) {
                int port = first.getLocalPort();
                if (port < 65535) {
                    try (ServerSocket second = new ServerSocket(port + 1)) {
                        return port;
                    } catch (IOException taken) {
                        // try another pair
                    }
                }
            } catch (IOException e) {
                throw new AssertionError("no free port: " + e.getMessage(), e);
            }
        }
        throw new AssertionError("no two free ports in a row in 20 tries");
    }

    private static Result run(List<String> command, Map<String, String> env, long timeoutSeconds) {
        Path log = null;
        try {
            log = Files.createTempFile("slurm-client", ".log");
            ProcessBuilder pb =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(
                        String.join(" ", command)
                                + " did not finish in "
                                + timeoutSeconds
                                + " s: "
                                + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    // a temp file left behind
                }
            }
        }
    }
}

package io.axlearn.trainer.distributed;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath as several MPI ranks under {@code mpirun}, one intra-op
 * thread each; skips the calling test (with the reason) where MPI is missing and cannot be
 * installed.
 */
public final class MpiTesting {
    private MpiTesting() {}

    /** What the ranks printed (stdout and stderr interleaved) and mpirun's exit code. */
    public record Result(int exitCode, String output) {}

    /** Skips the test unless MPI is (or could just be) installed. */
    public static void assumeMpi() {
        String missing = MpiShim.ensureInstalled();
        assumeTrue(missing == null, () -> "MPI tests skipped: " + missing);
    }

    /** The java command that runs {@code mainClass} with this JVM's classpath. */
    public static List<String> java(Class<?> mainClass, String... args) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(
                List.of(
                        "-Xmx1g",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path")));
        c.add(mainClass.getName());
        c.addAll(List.of(args));
        return c;
    }

    /**
     * Runs {@code ranks} copies of {@code program}; fails the test after {@code timeoutSeconds}.
     */
    public static Result run(int ranks, List<String> program, long timeoutSeconds) {
        return run(
                new MpiRun(
                                ranks,
                                1,
                                true,
                                "root".equals(System.getProperty("user.name")),
                                List.of(),
                                program)
                        .command(),
                Map.of(),
                timeoutSeconds);
    }

    /** Runs {@code command} with {@code env} added to this process's environment. */
    public static Result run(List<String> command, Map<String, String> env, long timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            StringBuilder out = new StringBuilder();
            Thread reader =
                    new Thread(
                            () -> {
                                try {
                                    out.append(
                                            new String(
                                                    p.getInputStream().readAllBytes(),
                                                    StandardCharsets.UTF_8));
                                } catch (IOException e) {
                                    out.append("(output unreadable: ").append(e).append(')');
                                }
                            });
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                reader.join(5000);
                throw new AssertionError(
                        "mpirun did not finish in " + timeoutSeconds + " s; output:\n" + out);
            }
            reader.join();
            return new Result(p.exitValue(), out.toString());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}

package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.trainer.checkpoint.Checkpointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends real signals to a training process: SIGTERM finishes the step, saves it, says so and exits
 * 143, and the resumed run matches an uninterrupted one; a second signal aborts at once. (SIGTERM:
 * a child started from a non-interactive shell's background job inherits SIGINT and SIGHUP as
 * ignored, and the JVM rightly keeps them ignored.)
 */
class StopOnSignalTest {
    @TempDir Path dir;

    private static final long MAX_STEP = 40;

    private Process start(Path trainerDir) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path")));
        command.add("io.axlearn.trainer.launch.Main");
        // The child's schedule is that of a MAX_STEP run, but it would go on far longer: a fast
        // machine must not finish before the signal arrives. maxStep may change on resume.
        command.addAll(SmallRun.args("train", trainerDir, MAX_STEP, "maxStep=1000000"));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        trainerDir.resolveSibling(trainerDir.getFileName() + ".log").toFile())
                .start();
    }

    private static String log(Path trainerDir) throws IOException {
        return Files.readString(trainerDir.resolveSibling(trainerDir.getFileName() + ".log"));
    }

    /** Waits until the child has summarised {@code steps} steps. */
    private static void awaitSteps(Process p, Path trainerDir, int steps) throws Exception {
        Path metrics = trainerDir.resolve("summaries/train/metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && System.nanoTime() < deadline) {
            if (Files.exists(metrics) && Files.readAllLines(metrics).size() >= steps) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the child never reached step " + steps + ":\n" + log(trainerDir));
    }

    private static void signal(Process p, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start();
        assertEquals(0, kill.waitFor());
    }

    @Test
    void sigterm_savesTheCurrentStep_saysSo_andTheResumeIsExact() throws Exception {
        Path stopped = dir.resolve("stopped");
        Process p = start(stopped);
        awaitSteps(p, stopped, 8);
        signal(p, "TERM");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String log = log(stopped);
        assertEquals(143, p.exitValue(), log);
        Matcher m =
                Pattern.compile("stopped: SIGTERM: saved checkpoint step (\\d+) in ").matcher(log);
        assertTrue(m.find(), log);
        long saved = Long.parseLong(m.group(1));
        List<Long> steps = Checkpointer.completeSteps(stopped);
        assertEquals(saved, steps.get(steps.size() - 1), log);
        assertTrue(saved >= 8 && saved < MAX_STEP, log);

        SmallRun.Result resumed = SmallRun.run(SmallRun.args("train", stopped, MAX_STEP));
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().contains("resumed from checkpoint step " + saved), resumed.out());
        Path straight = dir.resolve("straight");
        assertEquals(0, SmallRun.run(SmallRun.args("train", straight, MAX_STEP)).status());
        SortedMap<Long, Double> a = SmallRun.losses(stopped);
        SortedMap<Long, Double> b = SmallRun.losses(straight);
        assertEquals(b.keySet(), a.keySet());
        for (long step : b.keySet()) {
            assertEquals(b.get(step), a.get(step), 1e-6, "loss at step " + step);
        }
    }

    @Test
    void aSecondSignal_abortsAtOnce_leavingOnlyCompleteCheckpoints() throws Exception {
        Path aborted = dir.resolve("aborted");
        Process p = start(aborted);
        awaitSteps(p, aborted, 5);
        signal(p, "TERM");
        // Signals of one kind are not queued: send the second only once the first was taken.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!log(aborted).contains("received SIGTERM") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        signal(p, "TERM");
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        String log = log(aborted);
        assertTrue(exited, "the child did not exit:\n" + log);
        assertEquals(143, p.exitValue(), log);
        assertTrue(log.contains("second SIGTERM: aborting without saving"), log);
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (long step : Checkpointer.completeSteps(aborted)) {
                Checkpointer.restore(aborted, step, m, null).close(); // each one is complete
            }
        }
    }
}

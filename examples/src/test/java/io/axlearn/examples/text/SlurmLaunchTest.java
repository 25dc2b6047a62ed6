package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.distributed.MpiTesting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch script of {@code axlearn launch --backend slurm --nodes 1 --procs-per-node 2} on a real
 * Slurm (one node on this machine, {@link LocalSlurm}): {@code sbatch --wait} runs 2 ranks through
 * {@code srun --mpi=pmix} with the per-step losses of one process with the combined batch, and a
 * longer run of the same trainer directory, requeued by {@code scontrol requeue} mid-run, stops
 * with a checkpoint, restarts and resumes from it, again with the uninterrupted losses.
 */
class SlurmLaunchTest {
    private static final int PER_RANK = 4;
    private static final int FIRST = 6;
    private static final int FINAL = 60;
    private static final String JOB = "axlearn-slurm-test";
    private static final Pattern RESUMED = Pattern.compile("resumed from checkpoint step (\\d+)");
    private static final Pattern STOPPED =
            Pattern.compile("stopped: SIGTERM: saved checkpoint step (\\d+)");

    @Test
    void batchScriptTrainsTwoRanksAndResumesAfterRequeue(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp) throws Exception {
        MpiTesting.assumeMpi();
        try (LocalSlurm slurm = LocalSlurm.start(tmp.resolve("slurm"), 2)) {
            Path reference = tmp.resolve("reference");
            SmallRun.Result one = SmallRun.run(args("train", reference, FINAL, 2 * PER_RANK));
            assertEquals(0, one.status(), one.err());
            SortedMap<Long, Double> expected = SmallRun.losses(reference);

            // sbatch --wait: the job's exit status, after it ended.
            Path run = tmp.resolve("run");
            launcher(tmp);
            LocalSlurm.Result first =
                    slurm.client(
                            tmp, 120, "sbatch", "--wait", "--parsable", script(tmp, run, FIRST));
            String firstLog = jobLog(tmp, first.output());
            assertEquals(0, first.status(), first.output() + firstLog);
            assertTrue(firstLog.contains("MB on each of 2 ranks"), firstLog);
            assertTrue(firstLog.contains("done: step " + FIRST), firstLog);
            assertSameLosses(expected, SmallRun.losses(run), 1, FIRST);
            assertTrue(
                    SmallRun.scalars(run, "all_reduce_bytes").get((long) FIRST) > 0,
                    "the ranks exchanged gradients");
            assertTrue(Checkpointer.completeSteps(run).contains((long) FIRST), "checkpoint");

            // The same directory trained on to FINAL; requeued mid-run, it restarts and resumes.
            LocalSlurm.Result second =
                    slurm.client(tmp, 60, "sbatch", "--parsable", script(tmp, run, FINAL));
            assertEquals(0, second.status(), second.output());
            String id = second.output().strip();
            awaitStepAfter(run, FIRST + 2, slurm, id);
            LocalSlurm.Result requeue = slurm.client(tmp, 60, "scontrol", "requeue", id);
            assertEquals(0, requeue.status(), requeue.output());
            // A requeued job waits 2 minutes before it may start again; start it now.
            awaitState(slurm, id, "PENDING", 60);
            LocalSlurm.Result release =
                    slurm.client(tmp, 60, "scontrol", "update", "JobId=" + id, "StartTime=now");
            assertEquals(0, release.status(), release.output());
            String state = awaitState(slurm, id, "COMPLETED", 120);
            String secondLog = jobLog(tmp, id);
            assertEquals("COMPLETED", state, secondLog);
            List<Long> resumed = new ArrayList<>();
            Matcher m = RESUMED.matcher(secondLog);
            while (m.find()) {
                resumed.add(Long.parseLong(m.group(1)));
            }
            assertEquals(2, resumed.size(), secondLog);
            assertEquals(FIRST, resumed.get(0), secondLog);
            // The restart resumes from the checkpoint rank 0 saved when the requeue stopped it.
            Matcher stopped = STOPPED.matcher(secondLog);
            assertTrue(stopped.find(), secondLog);
            assertEquals(Long.parseLong(stopped.group(1)), resumed.get(1), secondLog);
            assertTrue(FIRST < resumed.get(1) && resumed.get(1) < FINAL, secondLog);
            assertTrue(
                    slurm.client(tmp, 30, "scontrol", "show", "job", "-o", id)
                            .output()
                            .contains(" Restarts=1 "),
                    "Slurm restarted the job once");
            assertTrue(secondLog.contains("done: step " + FINAL), secondLog);
            assertSameLosses(expected, SmallRun.losses(run), 1, FINAL);
        }
    }

    /**
     * A small charlm command in source order, {@code batchSize} examples per process, a learning
     * rate schedule of {@link #FINAL} steps whatever {@code maxStep} is, checkpoints every 3 steps.
     */
    private static List<String> args(String command, Path dir, long maxStep, int batchSize) {
        return SmallRun.args(
                command,
                dir,
                maxStep,
                "evalers={}",
                "input.batchSize=" + batchSize,
                "input.shuffleBufferSize=0",
                "checkpointer.everyNSteps.n=3",
                "learner.optimizer.learningRate.maxStep=" + FINAL);
    }

    /** Writes the batch script of {@code axlearn launch --backend slurm} and returns its path. */
    private static String script(Path tmp, Path run, long maxStep) {
        Path file = tmp.resolve(JOB + "-" + maxStep + ".sbatch");
        List<String> launch = new ArrayList<>(args("launch", run, maxStep, PER_RANK));
        launch.addAll(
                List.of(
                        "--backend=slurm",
                        "--nodes=1",
                        "--procs-per-node=2",
                        "--threads-per-proc=1",
                        "--name=" + JOB,
                        "--axlearn=" + tmp.resolve("axlearn"),
                        "--output=" + file));
        SmallRun.Result r = SmallRun.run(launch);
        assertEquals(0, r.status(), r.err());
        return file.toString();
    }

    /**
     * The launcher the job's ranks run in place of {@code ./axlearn}: the command line on the
     * tests' class path (the jar is built after the tests).
     */
    private static Path launcher(Path tmp) throws IOException {
        List<String> java = SmallRun.mainInChildJvm();
        List<String> command = new ArrayList<>(java.subList(0, 1));
        command.addAll(List.of("-XX:+UseSerialGC", "-Xmx1g"));
        command.addAll(java.subList(1, java.size()));
        StringBuilder s = new StringBuilder("#!/bin/sh\nexec");
        for (String word : command) {
            s.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        s.append(" \"$@\"\n");
        Path file = tmp.resolve("axlearn");
        Files.writeString(file, s);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** What job {@code id} wrote to its {@code --output} file. */
    private static String jobLog(Path tmp, String id) throws IOException {
        Path log = tmp.resolve(JOB + "-" + id.strip() + ".out");
        return Files.exists(log) ? Files.readString(log) : "(no job output " + log + ")";
    }

    /** Waits until the run has written the summary of a step after {@code step}. */
    private static void awaitStepAfter(Path run, long step, LocalSlurm slurm, String id)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                SortedMap<Long, Double> losses = SmallRun.losses(run);
                if (!losses.isEmpty() && losses.lastKey() > step) {
                    return;
                }
            } catch (IOException halfWritten) {
                // the rank is writing the line; read again
            }
            String state = slurm.jobState(id);
            if (!state.equals("RUNNING") && !state.equals("PENDING")) {
                throw new AssertionError("job " + id + " is " + state + " before step " + step);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not reach step " + step + " in 120 s");
    }

    /** Waits until job {@code id} is in {@code wanted} or has ended; returns its state then. */
    private static String awaitState(LocalSlurm slurm, String id, String wanted, long seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String state = slurm.jobState(id);
        while (!state.equals(wanted) && System.nanoTime() < deadline) {
            if (List.of("FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL").contains(state)) {
                return state;
            }
            Thread.sleep(100);
            state = slurm.jobState(id);
        }
        return state;
    }

    private static void assertSameLosses(
            SortedMap<Long, Double> expected, SortedMap<Long, Double> actual, long from, long to) {
        for (long step = from; step <= to; step++) {
            assertTrue(actual.containsKey(step), "no loss for step " + step);
            assertEquals(expected.get(step), actual.get(step), 1e-5, "loss of step " + step);
        }
    }
}

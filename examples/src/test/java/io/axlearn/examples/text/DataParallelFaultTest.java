package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.trainer.checkpoint.Checkpointer;
import io.axlearn.trainer.distributed.MpiTesting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kill -9 one rank of {@code axlearn train --nproc 2} mid-run: the command ends within 30 s with
 * one line naming the rank and the signal, every checkpoint left is complete, and the same command
 * resumes and reproduces the losses of an uninterrupted run (one process with the combined batch);
 * with the optimiser state replicated and sharded ({@code shardOptimizerState=true}).
 */
class DataParallelFaultTest {
    private static final int STEPS = 60;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void killedRankStopsTheRunAndTheSameCommandResumes(boolean sharded, @TempDir Path tmp)
            throws Exception {
        MpiTesting.assumeMpi();
        Path reference = tmp.resolve("reference");
        SmallRun.Result one = SmallRun.run(args(reference, 8, List.of(), false));
        assertEquals(0, one.status(), one.err());

        Path dir = tmp.resolve("parallel");
        List<String> command = new ArrayList<>(SmallRun.mainInChildJvm());
        command.addAll(args(dir, 4, List.of("--nproc", "2"), sharded));
        Path log = tmp.resolve("killed.log");
        Process run =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        Path firstCheckpoint = Checkpointer.stepDir(dir, 10);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.isDirectory(firstCheckpoint)
                && run.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        ProcessHandle rank1 =
                rank(run, 1).orElseThrow(() -> new AssertionError("no rank 1: " + read(log)));
        assertTrue(rank1.destroyForcibly(), "kill -9 rank 1");
        long killed = System.nanoTime();
        assertTrue(run.waitFor(30, TimeUnit.SECONDS), "the run outlived its killed rank by 30 s");
        double seconds = (System.nanoTime() - killed) / 1e9;
        String output = read(log);
        assertNotEquals(0, run.exitValue(), output);
        List<String> errors = output.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), output);
        assertTrue(errors.get(0).contains("rank 1 was killed by signal 9"), output);
        assertTrue(seconds < 30, "ended " + seconds + " s after the kill");

        // Every checkpoint left restores; the newest is where the rerun starts.
        List<Long> complete = Checkpointer.completeSteps(dir);
        assertTrue(!complete.isEmpty(), output);
        SmallRun.Result again = SmallRun.run(args(dir, 4, List.of("--nproc", "2"), sharded));
        assertEquals(0, again.status(), again.out() + again.err());
        long resumedFrom = complete.get(complete.size() - 1);
        assertTrue(
                again.out().contains("resumed from checkpoint step " + resumedFrom), again.out());

        SortedMap<Long, Double> expected = SmallRun.losses(reference);
        SortedMap<Long, Double> actual = SmallRun.losses(dir);
        for (long step = resumedFrom + 1; step <= STEPS; step++) {
            assertEquals(expected.get(step), actual.get(step), 1e-5, "loss of step " + step);
        }
    }

    /** The rank-{@code rank} process among {@code run}'s descendants (by its MPI environment). */
    private static Optional<ProcessHandle> rank(Process run, int rank) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            Optional<ProcessHandle> found =
                    run.descendants()
                            .filter(
                                    h ->
                                            environment(h)
                                                    .contains(
                                                            "OMPI_COMM_WORLD_RANK=" + rank + "\0"))
                            .findFirst();
            if (found.isPresent()) {
                return found;
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }

    private static String environment(ProcessHandle h) {
        try {
            return Files.readString(
                    Path.of("/proc", Long.toString(h.pid()), "environ"),
                    StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static List<String> args(Path dir, int batchSize, List<String> extra, boolean sharded) {
        return DataParallelTrainingTest.args(
                dir, STEPS, batchSize, extra, "evalers={}", "shardOptimizerState=" + sharded);
    }
}

package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.trainer.distributed.MpiTesting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code axlearn train --nproc N} with {@code input.batchSize=B} trains exactly as one process with
 * batch {@code N * B}: the same per-step losses (to 1e-5; all-reduce sums in another order), on a
 * shrunken text.charlm with AdamW and global-norm clipping, with the optimiser state replicated and
 * sharded ({@code shardOptimizerState=true}, ZeRO stage 1). The input reads in source order ({@code
 * shuffleBufferSize=0}), so rank r's examples r, r + N, ... are the single process's batch.
 */
class DataParallelTrainingTest {
    private static final int STEPS = 50;
    private static final int PER_RANK = 4;

    /**
     * Sharded runs exchange gradients and parameters in buckets of 4 KiB, so each step takes many
     * reduce-scatter and all-gather rounds and parameters straddle rounds.
     */
    private static final String SMALL_BUCKETS = "allReduceBucketBytes=4096";

    /**
     * 3 ranks (more than the cores: mpirun's {@code --oversubscribe}) also accumulate gradients
     * over 2 micro-batches each before they reduce, and train with one projection frozen (no
     * gradient, no optimiser state, in no rank's shard).
     */
    @ParameterizedTest
    @CsvSource({"2, 1", "3, 2"})
    void ranksTrainLikeOneProcessWithTheirCombinedBatch(
            int ranks, int microBatches, @TempDir Path tmp) throws Exception {
        MpiTesting.assumeMpi();
        String frozen =
                "learner.frozenParams="
                        + (ranks == 3 ? "[\"decoder/layer0/self_attention/k_proj/.*\"]" : "[]");
        Path single = tmp.resolve("single");
        SmallRun.Result one =
                SmallRun.run(
                        args(
                                single,
                                STEPS,
                                ranks * PER_RANK,
                                List.of(),
                                "replicaCheckEveryNSteps=5",
                                frozen));
        assertEquals(0, one.status(), one.err());

        Path parallel = tmp.resolve("parallel");
        SmallRun.Result many =
                SmallRun.run(
                        args(
                                parallel,
                                STEPS,
                                PER_RANK,
                                List.of("--nproc", Integer.toString(ranks)),
                                "replicaCheckEveryNSteps=5",
                                "microBatches=" + microBatches,
                                frozen));
        assertEquals(0, many.status(), many.out() + many.err());
        assertTrue(many.out().contains("done: step " + STEPS), many.out());
        assertSameLosses(single, parallel);
        // Only rank 0 wrote: one metrics file, one set of checkpoints.
        try (var files = Files.list(parallel.resolve("summaries"))) {
            assertEquals(
                    List.of("train", "validation"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(many.out().contains("replicas differ"), many.out());

        Path sharded = tmp.resolve("sharded");
        SmallRun.Result zero =
                SmallRun.run(
                        args(
                                sharded,
                                STEPS,
                                PER_RANK,
                                List.of("--nproc", Integer.toString(ranks)),
                                "replicaCheckEveryNSteps=5",
                                "microBatches=" + microBatches,
                                "shardOptimizerState=true",
                                SMALL_BUCKETS,
                                frozen));
        assertEquals(0, zero.status(), zero.out() + zero.err());
        assertTrue(
                zero.out().contains("optimizer state sharded over " + ranks + " ranks"),
                zero.out());
        assertFalse(zero.out().contains("replicas differ"), zero.out());
        assertSameLosses(single, sharded);
        // The global gradient norm, not one shard's.
        SortedMap<Long, Double> norms = SmallRun.scalars(single, "gradient_norm");
        SortedMap<Long, Double> shardedNorms = SmallRun.scalars(sharded, "gradient_norm");
        for (long step : norms.keySet()) {
            assertEquals(
                    norms.get(step),
                    shardedNorms.get(step),
                    1e-5 * Math.max(1, norms.get(step)),
                    "gradient norm of step " + step);
        }
        // Each rank holds about 1/N of the optimiser state: Adam's two moments of its parameters.
        double perRank = SmallRun.scalars(sharded, "optimizer_state_bytes").get((long) STEPS);
        double whole = SmallRun.scalars(parallel, "optimizer_state_bytes").get((long) STEPS);
        assertTrue(perRank < whole / ranks * 1.5, perRank + " bytes per rank of " + whole);
    }

    /**
     * A checkpoint of 2 sharded ranks has the layout and values of a one-process checkpoint, and
     * resumes on 1 process and on 3 sharded ranks (with the same global batch of 12) with the
     * losses of the uninterrupted run.
     */
    @org.junit.jupiter.api.Test
    void shardedCheckpointResumesOnAnyNumberOfRanks(@TempDir Path tmp) throws Exception {
        MpiTesting.assumeMpi();
        int steps = 30;
        String schedule = "learner.optimizer.learningRate.maxStep=" + steps;
        Path reference = tmp.resolve("reference");
        SmallRun.Result one = SmallRun.run(args(reference, steps, 12, List.of(), "evalers={}"));
        assertEquals(0, one.status(), one.err());

        Path two = tmp.resolve("two");
        SmallRun.Result saved =
                SmallRun.run(
                        args(
                                two,
                                20,
                                6,
                                List.of("--nproc", "2"),
                                "evalers={}",
                                "shardOptimizerState=true",
                                SMALL_BUCKETS,
                                schedule));
        assertEquals(0, saved.status(), saved.out() + saved.err());
        SortedMap<Long, Double> expected = SmallRun.losses(reference);
        SortedMap<Long, Double> before = SmallRun.losses(two);
        for (long step = 1; step <= 20; step++) {
            assertEquals(expected.get(step), before.get(step), 1e-5, "loss of step " + step);
        }
        SmallRun.assertSameCheckpoint(reference, two, 20, 1e-5);

        Path onOne = tmp.resolve("on-one");
        Path onThree = tmp.resolve("on-three");
        SmallRun.copyTree(two, onOne);
        SmallRun.copyTree(two, onThree);
        SmallRun.Result single = SmallRun.run(args(onOne, steps, 12, List.of(), "evalers={}"));
        assertEquals(0, single.status(), single.out() + single.err());
        assertTrue(single.out().contains("resumed from checkpoint step 20"), single.out());
        SmallRun.Result three =
                SmallRun.run(
                        args(
                                onThree,
                                steps,
                                4,
                                List.of("--nproc", "3"),
                                "evalers={}",
                                "shardOptimizerState=true",
                                SMALL_BUCKETS));
        assertEquals(0, three.status(), three.out() + three.err());
        assertTrue(three.out().contains("resumed from checkpoint step 20"), three.out());
        assertTrue(
                three.out().contains("input position: 2 rank(s) had read 240 examples"),
                three.out());

        for (Path resumed : List.of(onOne, onThree)) {
            SortedMap<Long, Double> actual = SmallRun.losses(resumed);
            for (long step = 21; step <= steps; step++) {
                assertEquals(
                        expected.get(step),
                        actual.get(step),
                        1e-5,
                        "loss of step " + step + " resumed in " + resumed.getFileName());
            }
        }
    }

    /**
     * With shuffle buffers each rank resumes from its own input position (buffer included), so 2
     * ranks stopped at step 10 and resumed reproduce the losses of 2 uninterrupted ranks.
     */
    @org.junit.jupiter.api.Test
    void shuffledInputResumesEachRankFromItsOwnPosition(@TempDir Path tmp) throws Exception {
        MpiTesting.assumeMpi();
        List<String> twoRanks = List.of("--nproc", "2");
        String[] shuffled = {
            "evalers={}", "input.shuffleBufferSize=64", "learner.optimizer.learningRate.maxStep=20"
        };
        Path whole = tmp.resolve("whole");
        SmallRun.Result uninterrupted = SmallRun.run(shuffledArgs(whole, 20, twoRanks, shuffled));
        assertEquals(0, uninterrupted.status(), uninterrupted.out() + uninterrupted.err());
        Path resumed = tmp.resolve("resumed");
        SmallRun.Result first = SmallRun.run(shuffledArgs(resumed, 10, twoRanks, shuffled));
        assertEquals(0, first.status(), first.out() + first.err());
        SmallRun.Result second = SmallRun.run(shuffledArgs(resumed, 20, twoRanks, shuffled));
        assertEquals(0, second.status(), second.out() + second.err());
        assertTrue(second.out().contains("resumed from checkpoint step 10"), second.out());
        assertSameLosses(whole, resumed);
    }

    /** {@link #args} with a shuffle buffer: the {@code sets} after the source-order default. */
    private static List<String> shuffledArgs(
            Path dir, long steps, List<String> extra, String... sets) {
        List<String> all = new ArrayList<>(args(dir, steps, PER_RANK, List.of()));
        for (String set : sets) {
            all.add("--set");
            all.add(set);
        }
        all.addAll(extra);
        return all;
    }

    private static void assertSameLosses(Path expectedRun, Path actualRun) throws Exception {
        SortedMap<Long, Double> expected = SmallRun.losses(expectedRun);
        SortedMap<Long, Double> actual = SmallRun.losses(actualRun);
        assertEquals(expected.keySet(), actual.keySet(), "one summary line per step, by rank 0");
        for (long step : expected.keySet()) {
            assertEquals(
                    expected.get(step),
                    actual.get(step),
                    1e-5,
                    "loss of step " + step + " in " + actualRun.getFileName());
        }
    }

    @org.junit.jupiter.api.Test
    void badInputUnderNprocIsReportedOnceBeforeAnyRankStarts(@TempDir Path tmp) {
        SmallRun.Result r =
                SmallRun.run(args(tmp, STEPS, PER_RANK, List.of("--nproc", "2"), "microBatches=3"));
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        SmallRun.Result zero = SmallRun.run(args(tmp, STEPS, PER_RANK, List.of("--nproc", "0")));
        assertEquals("error: --nproc must be at least 1, got 0", zero.err().strip());
    }

    /**
     * A small charlm run of {@code steps} steps reading in source order with {@code batchSize}
     * examples per process, then {@code extra} arguments.
     */
    static List<String> args(
            Path dir, long steps, int batchSize, List<String> extra, String... sets) {
        List<String> all = new ArrayList<>(List.of(sets));
        all.add("input.batchSize=" + batchSize);
        all.add("input.shuffleBufferSize=0");
        List<String> args =
                new ArrayList<>(SmallRun.args("train", dir, steps, all.toArray(String[]::new)));
        args.addAll(extra);
        return args;
    }
}

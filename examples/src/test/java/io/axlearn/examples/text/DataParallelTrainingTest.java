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
 * shrunken text.charlm with AdamW and global-norm clipping. The input reads in source order ({@code
 * shuffleBufferSize=0}), so rank r's examples r, r + N, ... are the single process's batch.
 */
class DataParallelTrainingTest {
    private static final int STEPS = 20;
    private static final int PER_RANK = 4;

    /** 3 ranks also accumulate gradients over 2 micro-batches each before they reduce. */
    @ParameterizedTest
    @CsvSource({"2, 1", "3, 2"})
    void ranksTrainLikeOneProcessWithTheirCombinedBatch(
            int ranks, int microBatches, @TempDir Path tmp) throws Exception {
        MpiTesting.assumeMpi();
        Path single = tmp.resolve("single");
        SmallRun.Result one =
                SmallRun.run(
                        args(
                                single,
                                STEPS,
                                ranks * PER_RANK,
                                List.of(),
                                "replicaCheckEveryNSteps=5"));
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
                                "microBatches=" + microBatches));
        assertEquals(0, many.status(), many.out() + many.err());
        assertTrue(many.out().contains("done: step " + STEPS), many.out());

        SortedMap<Long, Double> expected = SmallRun.losses(single);
        SortedMap<Long, Double> actual = SmallRun.losses(parallel);
        assertEquals(expected.keySet(), actual.keySet(), "one summary line per step, by rank 0");
        for (long step : expected.keySet()) {
            assertEquals(expected.get(step), actual.get(step), 1e-5, "loss of step " + step);
        }
        // Only rank 0 wrote: one metrics file, one set of checkpoints.
        try (var files = Files.list(parallel.resolve("summaries"))) {
            assertEquals(
                    List.of("train", "validation"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(many.out().contains("replicas differ"), many.out());
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

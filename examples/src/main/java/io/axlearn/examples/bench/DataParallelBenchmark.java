package io.axlearn.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.config.ConfigOverrides;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.distributed.Collective;
import io.axlearn.trainer.distributed.MpiCollective;
import io.axlearn.trainer.launch.ExperimentRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Steps/s, examples/s and all-reduce time per step of text.charlm on however many ranks it is
 * launched as (1 without mpirun): {@code steps} warm-up steps, then {@code steps} measured ones,
 * with {@code batchPerRank} examples per rank and no evaluation. A fourth argument {@code sharded}
 * shards the optimiser state ({@code shardOptimizerState=true}, ZeRO stage 1); on several ranks the
 * line then also gives the optimiser-state bytes of the fullest rank. Rank 0 prints one line.
 *
 * <pre>
 * ./axlearn run-class io.axlearn.examples.bench.DataParallelBenchmark tiny 32 20
 * mpirun -np 2 --bind-to none ... java -cp examples/target/axlearn.jar \
 *     io.axlearn.examples.bench.DataParallelBenchmark tiny 32 20 [sharded]
 * </pre>
 *
 * (docs/distributed.md gives the full mpirun line; {@code axlearn launch --backend mpirun} prints
 * it.)
 */
public final class DataParallelBenchmark {
    private DataParallelBenchmark() {}

    public static void main(String[] args) throws IOException {
        String config = args.length > 0 ? args[0] : "tiny";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        boolean sharded = args.length > 3 && args[3].equals("sharded");
        Collective ranks = Collective.fromEnvironment();
        // Every rank trains in the same directory, emptied by rank 0 first (a run left there
        // would be resumed).
        Path dir =
                Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "axlearn-dp-bench-" + config + "-" + ranks.size());
        if (ranks.rank() == 0 && Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        ranks.barrier();
        Trainer.Config cfg =
                (Trainer.Config)
                        ConfigOverrides.builder()
                                .set(
                                        List.of(
                                                "input.batchSize=" + batch,
                                                "input.shuffleBufferSize=0",
                                                "evalers={}",
                                                "maxStep=" + 2 * steps,
                                                "summaryEveryNSteps=" + steps,
                                                "checkpointer.everyNSteps.n=1000000000",
                                                "replicaCheckEveryNSteps=0",
                                                "shardOptimizerState=" + sharded))
                                .build()
                                .applyTo(ExperimentRegistry.load().get("text.charlm", config));
        Trainer trainer = cfg.instantiate().progressTo(new PrintWriter(Writer.nullWriter()), false);
        trainer.run(dir);
        if (ranks.rank() == 0) {
            List<String> lines = Files.readAllLines(dir.resolve("summaries/train/metrics.jsonl"));
            JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1));
            double stepsPerSecond = last.get("steps_per_second").asDouble();
            JsonNode reduce = last.get("all_reduce_seconds");
            JsonNode state = last.get("optimizer_state_bytes");
            System.out.printf(
                    Locale.ROOT,
                    "charlm %s, %d rank(s) x batch %d%s: %.3f steps/s, %.1f examples/s, %s"
                            + " %.1f ms/step (%.1f%% of the step) for %.2f MB of gradients%s%n",
                    config,
                    ranks.size(),
                    batch,
                    sharded ? ", optimizer state sharded" : "",
                    stepsPerSecond,
                    stepsPerSecond * batch * ranks.size(),
                    sharded ? "reduce-scatter + all-gather" : "all-reduce",
                    reduce == null ? 0 : reduce.asDouble() * 1e3,
                    reduce == null ? 0 : reduce.asDouble() * stepsPerSecond * 100,
                    last.path("all_reduce_bytes").asDouble() / 1e6,
                    state == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    ", optimizer state %.2f MB per rank",
                                    state.asDouble() / 1e6));
        }
        MpiCollective.ifStarted(MpiCollective::close);
    }
}

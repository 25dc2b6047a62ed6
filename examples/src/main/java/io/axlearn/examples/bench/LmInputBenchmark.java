package io.axlearn.examples.bench;

import ai.djl.ndarray.NDManager;
import io.axlearn.core.input.Batch;
import io.axlearn.core.input.ExampleSource;
import io.axlearn.core.input.Input;
import io.axlearn.examples.text.GptExperiments;
import io.axlearn.text.input.PackedLmSource;
import io.axlearn.trainer.Trainer;

/**
 * Throughput of {@code text.gpt}'s input alone, without a model: the one-off tokenisation of the
 * corpus (GPT-2 BPE over the KJV's chapters, {@link PackedLmSource}) in tokens/s, then {@code
 * batches} training batches read through {@link Input} (shuffled, segment ids and positions) and
 * copied into engine arrays, in tokens/s. Compare the second figure with the tokens a training step
 * consumes ({@code batchSize * seqLen} per step).
 *
 * <pre>
 * ./axlearn run-class io.axlearn.examples.bench.LmInputBenchmark [batches]
 * </pre>
 */
public final class LmInputBenchmark {
    private LmInputBenchmark() {}

    public static void main(String[] args) {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        Trainer.Config trainer = GptExperiments.trainer(128, 4, 4, 128, 8, 1_200, 3e-3, 100, 200);
        Input.Config input = (Input.Config) trainer.get("input");
        PackedLmSource source = (PackedLmSource) input.source();
        long t0 = System.nanoTime();
        ExampleSource examples = source.instantiate();
        double tokenise = (System.nanoTime() - t0) / 1e9;
        long corpusTokens = (examples.size() * (Integer) source.get("seqLen"));
        System.out.printf(
                "tokenise: %s in %.2f s, %.2f M tokens/s (training split, %d windows)%n",
                source.get("path"), tokenise, corpusTokens / tokenise / 1e6, examples.size());
        long tokens = 0;
        long start = 0;
        try (Input.BatchIterator it = input.instantiate().iterator();
                NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < batches + 100; i++) {
                if (i == 100) {
                    start = System.nanoTime();
                    tokens = 0;
                }
                Batch batch = it.next();
                try (NDManager step = manager.newSubManager()) {
                    batch.toArrays(step);
                }
                tokens += batch.size() * (Integer) source.get("seqLen");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "read: %d batches of %d x %d in %.2f s, %.2f M tokens/s, %.0f batches/s%n",
                batches,
                input.batchSize(),
                source.get("seqLen"),
                seconds,
                tokens / seconds / 1e6,
                batches / seconds);
    }
}

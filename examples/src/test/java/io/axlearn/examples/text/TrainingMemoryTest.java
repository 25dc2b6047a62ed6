package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigOverrides;
import io.axlearn.core.testing.LeakCheck;
import io.axlearn.trainer.Trainer;
import io.axlearn.trainer.launch.ExperimentRegistry;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2,000 training steps of the tiny model's architecture (d=128, 2 layers, 4 heads; shorter
 * sequences and batches than the recipe so the check takes under a minute), with evaluations and
 * checkpoints every 100 steps: resident memory at step 2,000 stays within 10% of its value at step
 * 200, and the native memory in use (glibc malloc, where tensors live) too. The test JVM runs with
 * the launcher's collector settings ({@code -XX:+UseSerialGC}).
 */
class TrainingMemoryTest {
    @TempDir Path dir;

    @Test
    void twoThousandSteps_keepResidentAndNativeMemoryFlat() {
        Trainer.Config cfg = (Trainer.Config) ExperimentRegistry.load().get("text.charlm", "tiny");
        ConfigOverrides.builder()
                .set("input.source.seqLen=32")
                .set("input.batchSize=4")
                .set("evalers[validation].input.source.seqLen=32")
                .set("evalers[validation].maxBatches=2")
                .set("evalers[validation].everyNSteps.n=100")
                .set("checkpointer.everyNSteps.n=100")
                .set("summaryEveryNSteps=100")
                .set("maxStep=2000")
                .set("learner.optimizer.learningRate.maxStep=2000")
                .build()
                .applyTo(cfg);
        long[] rss = new long[2];
        long[] malloc = new long[2];
        Trainer trainer =
                cfg.instantiate()
                        .progressTo(new PrintWriter(Writer.nullWriter()), false)
                        .onStep(
                                (step, scalars) -> {
                                    if (step == 200 || step == 2000) {
                                        int i = step == 200 ? 0 : 1;
                                        rss[i] = LeakCheck.residentKib();
                                        malloc[i] = LeakCheck.mallocInUseKib();
                                    }
                                });
        assertEquals(2000, trainer.run(dir).step());
        System.out.printf(
                "tiny architecture, 2000 steps: resident %d -> %d KiB, malloc in use %d -> %d KiB (step 200 -> 2000)%n",
                rss[0], rss[1], malloc[0], malloc[1]);
        assertTrue(
                rss[1] < rss[0] * 1.10,
                "resident memory grew from " + rss[0] + " KiB to " + rss[1] + " KiB");
        assertTrue(
                malloc[1] < malloc[0] * 1.10,
                "native memory in use grew from " + malloc[0] + " KiB to " + malloc[1] + " KiB");
    }
}

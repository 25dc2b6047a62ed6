package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.trainer.launch.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fresh training runs on one intra-op thread are bit-identical, however often the Java garbage
 * collector runs: a reference run, then three runs with a 4 MB young generation and an allocating
 * thread ({@link GcPressure}; hundreds of collections in a run, several inside every step), each in
 * its own JVM; every logged value of every step (loss, accuracy, gradient norm, learning rate) must
 * equal the reference's exactly. Before the engine-owned operands of {@code
 * io.axlearn.core.ndarray.OwnedArrays}, every such run differed from step 1 or 2, most with a
 * non-finite gradient norm (docs/reliability.md).
 */
class TrainingUnderGcTest {
    private static final long MAX_STEP = 8;
    private static final int RUNS = 3;

    @TempDir Path dir;

    @Test
    void freshRunsUnderGcPressure_areBitIdenticalToAReferenceRun() throws Exception {
        List<String> reference = run(Main.class, List.of(), dir.resolve("reference"));
        assertEquals(MAX_STEP, reference.size(), "reference steps: " + reference);
        for (int i = 0; i < RUNS; i++) {
            List<String> pressured =
                    run(GcPressure.class, List.of("-Xmn4m"), dir.resolve("pressured" + i));
            assertEquals(reference.size(), pressured.size(), "run " + i + " steps");
            for (int s = 0; s < reference.size(); s++) {
                assertEquals(reference.get(s), pressured.get(s), "run " + i + ", line " + (s + 1));
            }
        }
    }

    /**
     * Trains in a child JVM and returns {@code summaries/train/metrics.jsonl} without the
     * throughput field, one line per step.
     */
    private static List<String> run(Class<?> main, List<String> jvmFlags, Path trainerDir)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:+UseSerialGC", "-Xmx1g", "-Dai.djl.pytorch.num_threads=1"));
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(main.getName());
        command.addAll(SmallRun.args("train", trainerDir, MAX_STEP));
        Path log = trainerDir.resolveSibling(trainerDir.getFileName() + ".log");
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        assertEquals(0, p.exitValue(), main.getSimpleName() + ": " + Files.readString(log));
        List<String> lines = new ArrayList<>();
        for (String line :
                Files.readAllLines(trainerDir.resolve("summaries/train/metrics.jsonl"))) {
            lines.add(line.replaceAll(",?\"(steps_per_second|goodput)\":[^,}]*", ""));
        }
        return lines;
    }
}

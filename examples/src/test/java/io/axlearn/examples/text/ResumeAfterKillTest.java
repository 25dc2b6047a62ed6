package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.trainer.checkpoint.Checkpointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a training process with SIGKILL after its second checkpoint, runs the same command again,
 * and checks that every step's loss equals an uninterrupted run's.
 */
class ResumeAfterKillTest {
    @TempDir Path killed;
    @TempDir Path uninterrupted;

    @Test
    void killedRun_resumesWithTheSameLossesAsAnUninterruptedRun() throws Exception {
        long maxStep = 60;
        List<String> command = SmallRun.mainInChildJvm();
        command.addAll(
                SmallRun.args("train", killed, maxStep, "maxStep=1000000")); // never ends first
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(
                                killed.resolveSibling(killed.getFileName() + ".log").toFile())
                        .start();
        Path marker = Checkpointer.stepDir(killed, 20).resolve("index.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(marker) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(marker), "the child never saved step 20");
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, files as they are
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<Long> before = Checkpointer.completeSteps(killed);
        assertTrue(before.get(before.size() - 1) < maxStep, "killed before the end: " + before);

        SmallRun.Result resumed = SmallRun.run(SmallRun.args("train", killed, maxStep));
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(
                resumed.out()
                        .contains("resumed from checkpoint step " + before.get(before.size() - 1)),
                resumed.out());
        SmallRun.Result straight = SmallRun.run(SmallRun.args("train", uninterrupted, maxStep));
        assertEquals(0, straight.status(), straight.err());

        SortedMap<Long, Double> a = SmallRun.losses(killed);
        SortedMap<Long, Double> b = SmallRun.losses(uninterrupted);
        assertEquals(b.keySet(), a.keySet());
        for (long step : b.keySet()) {
            assertEquals(b.get(step), a.get(step), 1e-6, "loss at step " + step);
        }
    }
}

package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains on a real, small file system (a 400 KB tmpfs in a private mount namespace) that fills up
 * at the second checkpoint: the run stops with one line, leaves no temporary directory behind, and
 * the first checkpoint stays complete.
 */
class DiskFullTest {
    @TempDir Path dir;

    private static boolean canMountTmpfs() {
        try {
            Process p =
                    new ProcessBuilder(
                                    "unshare",
                                    "--mount",
                                    "sh",
                                    "-c",
                                    "mount -t tmpfs -o size=64k none /tmp")
                            .redirectErrorStream(true)
                            .start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void aFullDisk_stopsTheRunWithOneLine_andLeavesNoTemporaryDirectory() throws Exception {
        Assumptions.assumeTrue(
                canMountTmpfs(), "needs unshare --mount and tmpfs (root on Linux); skipped");
        Path mount = dir.resolve("small-disk");
        Path run = mount.resolve("run");
        List<String> train = new ArrayList<>(SmallRun.mainInChildJvm());
        train.addAll(SmallRun.args("train", run, 30));
        String script =
                "mkdir -p \"$0\" && mount -t tmpfs -o size=400k none \"$0\" && \"$@\"; status=$?;"
                        + " echo \"exit=$status\"; echo \"checkpoints:\"; ls -a \"$0/run/checkpoints\";"
                        + " for d in \"$0\"/run/checkpoints/step_*; do [ -f \"$d/index.json\" ] &&"
                        + " [ -f \"$d/index.sha256\" ] && echo \"complete $(basename \"$d\")\"; done";
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "sh", "-c", script));
        command.add(mount.toString());
        command.addAll(train);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), out);
        assertTrue(out.contains("exit=2"), out);
        List<String> errors = out.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), out);
        // Checkpoints are written in the background, so the training thread may meet the full
        // disk first, writing its summaries, or see the failed save at its next save.
        assertTrue(
                errors.get(0)
                        .matches(
                                "error: (saving checkpoint .*step_000000(10|20) failed: .*|cannot"
                                        + " write summaries to .*: No space left on device)"),
                out);
        assertFalse(out.contains(".tmp_"), "a temporary directory was left behind:\n" + out);
        assertFalse(out.contains("Exception"), out);
        assertTrue(out.contains("complete step_00000010"), out);
    }
}

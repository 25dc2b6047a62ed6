package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line starts quietly: run in a fresh JVM (as {@code ./axlearn} runs it), a resumed
 * training run prints nothing on standard error (no DJL start-up lines, no GPU-detection warnings,
 * no libtorch deprecation warning from restoring the checkpoint), and {@code --verbose} brings
 * DJL's lines back.
 */
class MainStartupTest {
    @TempDir Path dir;

    /** Exit status and standard error of the command line in a fresh JVM. */
    private static String stderrOfChild(List<String> args) throws Exception {
        List<String> command = SmallRun.mainInChildJvm();
        command.addAll(args);
        Process p =
                new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not finish:\n" + err);
        assertEquals(0, p.exitValue(), err);
        return err;
    }

    @Test
    void resumedTraining_printsNothingOnStderr_verboseShowsTheEngineLines() throws Exception {
        assertEquals(0, SmallRun.run(SmallRun.args("train", dir, 10)).status());

        String quiet = stderrOfChild(SmallRun.args("train", dir, 12)); // resumes from step 10
        // Surefire gives the child the launcher's environment but not, on AMD, the launcher's
        // LD_PRELOAD of the MKL override, so RuntimeSettings loads it itself and says so once: the
        // line a plain `java` user sees. Nothing else may appear.
        String unexpected =
                quiet.lines()
                        .filter(l -> !l.contains("runtime setting MKL vendor check: loaded "))
                        .collect(Collectors.joining("\n"));
        assertEquals("", unexpected, "standard error of a resumed run");

        List<String> verboseEval = SmallRun.args("eval", dir, 12);
        verboseEval.add("--verbose");
        String verbose = stderrOfChild(verboseEval);
        assertTrue(
                verbose.contains(
                        "INFO ai.djl.pytorch.engine.PtEngine - Number of intra-op threads"),
                "--verbose shows the engine's start-up lines:\n" + verbose);
    }
}

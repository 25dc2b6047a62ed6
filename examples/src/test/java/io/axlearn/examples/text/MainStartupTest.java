package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line starts quietly: run in a fresh JVM (as {@code ./axlearn} runs it), a command
 * that loads the engine prints none of DJL's start-up lines on standard error unless {@code
 * --verbose} is given.
 */
class MainStartupTest {
    @TempDir Path dir;

    /**
     * Standard error of {@code Main eval} on an empty trainer dir: loads the engine, then fails.
     */
    private String evalStderr(boolean verbose) throws Exception {
        List<String> command = SmallRun.mainInChildJvm();
        command.addAll(SmallRun.args("eval", dir, 10));
        if (verbose) {
            command.add("--verbose");
        }
        Process p =
                new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "eval did not finish:\n" + err);
        assertEquals(2, p.exitValue(), "no checkpoint to evaluate is bad input:\n" + err);
        return err;
    }

    @Test
    void engineStartUpLines_onlyWithVerbose() throws Exception {
        String quiet = evalStderr(false);
        assertFalse(quiet.contains("ai.djl"), "DJL log lines without --verbose:\n" + quiet);
        assertFalse(quiet.contains("Failed to detect GPU count"), quiet);
        assertTrue(
                quiet.startsWith("error: ") && quiet.contains("checkpoint"),
                "only the one error line, after the engine loaded:\n" + quiet);
        assertEquals(1, quiet.lines().count(), quiet);

        String verbose = evalStderr(true);
        assertTrue(
                verbose.contains(
                        "INFO ai.djl.pytorch.engine.PtEngine - Number of intra-op threads"),
                "--verbose shows the engine's start-up lines:\n" + verbose);
    }
}

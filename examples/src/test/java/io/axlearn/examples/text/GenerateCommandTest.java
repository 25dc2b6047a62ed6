package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code axlearn generate} on a shrunken text.charlm trained a few steps. */
class GenerateCommandTest {
    /** The prompt every generation here continues. */
    static final String PROMPT = "And God said";

    @TempDir Path dir;

    private static SmallRun.Result generate(Path dir, String... options) {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of("generate", "--trainer-dir", dir.toString(), "--prompt", PROMPT));
        args.addAll(List.of(options));
        return SmallRun.run(args);
    }

    /** Nucleus sampling of 24 bytes with {@code seed} from the run in {@code dir}. */
    static SmallRun.Result sampled(Path dir, int seed) {
        return generate(
                dir,
                "--max-tokens",
                "24",
                "--temperature",
                "0.9",
                "--top-p",
                "0.95",
                "--seed",
                String.valueOf(seed));
    }

    @Test
    void generate_continuesThePrompt_reproduciblyBySeed() {
        SmallRun.Result trained = SmallRun.run(SmallRun.args("train", dir, 10));
        assertEquals(0, trained.status(), trained.err());

        SmallRun.Result a = sampled(dir, 3);
        assertEquals(0, a.status(), a.err());
        assertTrue(a.out().startsWith("And God said"), a.out());
        assertTrue(a.out().length() > "And God said".length(), a.out());
        assertEquals(a.out(), sampled(dir, 3).out());
        assertNotEquals(a.out(), sampled(dir, 4).out());
        SmallRun.Result greedy =
                generate(dir, "--max-tokens", "8", "--temperature", "0", "--top-k", "5");
        assertEquals(0, greedy.status(), greedy.err());
    }

    @Test
    void badInput_isOneLine() {
        SmallRun.Result noRun = generate(dir.resolve("nothing"));
        assertEquals(2, noRun.status());
        assertEquals(
                "error: --trainer-dir "
                        + dir.resolve("nothing")
                        + " has no config.json; is it a"
                        + " run directory?",
                noRun.err().strip());
        SmallRun.Result badTopP = generate(dir, "--top-p", "1.5");
        assertEquals(2, badTopP.status());
        assertTrue(
                badTopP.err().startsWith("error: topP must be in (0, 1], got 1.5"), badTopP.err());
    }
}

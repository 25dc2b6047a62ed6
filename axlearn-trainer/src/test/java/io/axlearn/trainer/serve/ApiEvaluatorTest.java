package io.axlearn.trainer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.axlearn.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiEvaluatorTest {
    private static final ApiTask.Example EXAMPLE =
            new ApiTask.Example("In the beginning", " God created the heaven");

    @Test
    void score_cutsAtTheNewline_andComparesWithTheReference() {
        ApiEvaluator.Prediction exact = ApiEvaluator.score(EXAMPLE, " God created the heaven\nand");
        assertEquals(" God created the heaven", exact.completion());
        assertTrue(exact.exactMatch());
        assertTrue(exact.firstWordMatch());
        assertEquals(1.0, exact.prefixMatch());

        ApiEvaluator.Prediction partial = ApiEvaluator.score(EXAMPLE, " God made it");
        assertFalse(partial.exactMatch());
        assertTrue(partial.firstWordMatch());
        // " God " (5 characters) of the reference's 23 before the first wrong one.
        assertEquals(5.0 / 23, partial.prefixMatch(), 1e-12);

        ApiEvaluator.Prediction wrong = ApiEvaluator.score(EXAMPLE, "\n God created the heaven");
        assertEquals("", wrong.completion());
        assertFalse(wrong.firstWordMatch());
        assertEquals(0.0, wrong.prefixMatch());
    }

    @Test
    void taskFile_badLine_namesFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("qa.jsonl");
        Files.writeString(file, "{\"prompt\":\"a\",\"reference\":\"b\"}\n\n{\"prompt\":\"a\"}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ApiTask.fromJsonl(file));
        assertEquals(
                file + ":3: need string fields \"prompt\" (not empty) and \"reference\"",
                e.getMessage());
        Files.writeString(file, "{\"prompt\":\"a\",\"reference\":\"b\"}\n");
        ApiTask task = ApiTask.fromJsonl(file);
        assertEquals("qa", task.name());
        assertEquals(1, task.examples().size());
    }
}

package io.axlearn.trainer.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every {@code console} example of {@code docs/config.md} and compares its output with the
 * text the page shows. A fenced block opened as {@code ```yaml file=NAME} is written to a temporary
 * file that the commands can name.
 */
class ConfigDocsTest {
    private static final Path DOC = Path.of("..", "docs", "config.md");

    @TempDir Path dir;

    @Test
    void consoleExamples_printWhatTheDocShows() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        Map<String, Path> files = new LinkedHashMap<>();
        int commands = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```") && line.contains(" file=")) {
                String name = line.substring(line.indexOf(" file=") + 6).strip();
                List<String> body = new ArrayList<>();
                for (i++; !lines.get(i).startsWith("```"); i++) {
                    body.add(lines.get(i));
                }
                Path file = dir.resolve(name);
                Files.write(file, body);
                files.put(name, file);
            } else if (line.equals("```console")) {
                for (i++; !lines.get(i).startsWith("```"); ) {
                    String command = lines.get(i);
                    assertTrue(
                            command.startsWith("$ axlearn "), "line " + (i + 1) + ": " + command);
                    List<String> expected = new ArrayList<>();
                    for (i++;
                            !lines.get(i).startsWith("```") && !lines.get(i).startsWith("$ ");
                            i++) {
                        expected.add(lines.get(i));
                    }
                    List<String> args = new ArrayList<>();
                    for (String token : command.substring("$ axlearn ".length()).split(" ")) {
                        args.add(files.containsKey(token) ? files.get(token).toString() : token);
                    }
                    MainTest.Result r = MainTest.run(args.toArray(String[]::new));
                    String actual =
                            r.out() + r.err().lines().findFirst().map(l -> l + "\n").orElse("");
                    assertEquals(
                            String.join("\n", expected) + "\n",
                            actual,
                            DOC + " line " + (i - expected.size()) + ": " + command);
                    commands++;
                }
            }
        }
        assertTrue(commands >= 5, "found only " + commands + " console examples in " + DOC);
    }
}

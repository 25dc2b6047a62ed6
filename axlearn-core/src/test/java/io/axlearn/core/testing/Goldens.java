package io.axlearn.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Golden text files checked into {@code src/test/resources/golden/}: a test compares what the code
 * produces now with the file, and {@code -Dgolden.update=true} rewrites the file instead.
 *
 * <p>Run {@code mvn test -Dgolden.update=true}, review {@code git diff}, and commit the files
 * together with the change that moved them.
 */
public final class Goldens {
    /** System property that turns comparisons into rewrites. */
    public static final String UPDATE_PROPERTY = "golden.update";

    /** Root of golden files, relative to the module directory (the tests' working directory). */
    public static final Path ROOT = Path.of("src", "test", "resources", "golden");

    private Goldens() {}

    /** Whether this run rewrites goldens instead of comparing. */
    public static boolean updating() {
        return Boolean.parseBoolean(System.getProperty(UPDATE_PROPERTY, "false"));
    }

    /**
     * Asserts that {@code actual} (a trailing newline is added) equals the golden file at {@code
     * relative} under {@link #ROOT}, or rewrites the file when updating.
     */
    public static void assertMatches(String relative, String actual) {
        Path file = ROOT.resolve(relative);
        String text = actual.endsWith("\n") ? actual : actual + "\n";
        try {
            if (updating()) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, text, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(file)) {
                fail(
                        "golden file "
                                + file
                                + " is missing; create it with -D"
                                + UPDATE_PROPERTY
                                + "=true");
            }
            String expected = Files.readString(file, StandardCharsets.UTF_8);
            if (!expected.equals(text)) {
                fail(
                        "golden file "
                                + file
                                + " differs (rewrite with -D"
                                + UPDATE_PROPERTY
                                + "=true):\n"
                                + firstDifference(expected, text));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Golden files under {@code relativeDir} (recursively), as paths relative to it. */
    public static List<String> list(String relativeDir, String suffix) {
        Path dir = ROOT.resolve(relativeDir);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(suffix))
                    .map(p -> dir.relativize(p).toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstDifference(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : "<end of file>";
            String al = i < a.length ? a[i] : "<end of output>";
            if (!el.equals(al)) {
                return "line " + (i + 1) + ":\n  golden: " + el + "\n  now:    " + al;
            }
        }
        return "(only line endings differ)";
    }
}

package io.axlearn.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Keeps code shown in documentation compiled and tested: the code lives in a test source between
 * {@code // [name-start]} and {@code // [name-end]} marker lines, and a test asserts that a page
 * shows it verbatim.
 *
 * <pre>{@code
 * DocSnippets.assertShown(
 *         Path.of("src/test/java/com/example/MyLayerTest.java"), "usage", Path.of("README.md"));
 * }</pre>
 */
public final class DocSnippets {
    private DocSnippets() {}

    /**
     * The lines strictly between {@code // [name-start]} and {@code // [name-end]} in {@code
     * source}, with the start marker's indentation removed from each line and leading and trailing
     * blank lines dropped; ends with a newline.
     *
     * @throws AssertionError if a marker is missing
     */
    public static String snippet(Path source, String name) {
        List<String> lines = read(source).lines().toList();
        int start = indexOf(lines, "// [" + name + "-start]", source);
        int end = indexOf(lines, "// [" + name + "-end]", source);
        String startLine = lines.get(start);
        int indent = startLine.length() - startLine.stripLeading().length();
        StringBuilder out = new StringBuilder();
        for (String line : lines.subList(start + 1, end)) {
            out.append(line.length() >= indent ? line.substring(indent) : line.strip())
                    .append('\n');
        }
        return out.toString().strip() + "\n";
    }

    /** Asserts that {@code doc} contains {@link #snippet} of {@code source} exactly. */
    public static void assertShown(Path source, String name, Path doc) {
        String code = snippet(source, name);
        assertTrue(
                read(doc).contains(code),
                doc + " must show snippet " + name + " of " + source + " exactly:\n" + code);
    }

    private static int indexOf(List<String> lines, String marker, Path source) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        return fail(source + " has no line " + marker);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

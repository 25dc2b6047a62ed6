package io.axlearn.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed dotted path into a config tree: {@code model.decoder.layers[0].dim}, {@code
 * evalers[validation].everyNSteps}, {@code model.norm.@type}.
 *
 * <p>Grammar: segments separated by {@code .}; a segment is a field name followed by any number of
 * {@code [index]} (list item) or {@code [key]} (map entry) selectors. The special field name
 * {@code @type} addresses the registered type name of a config node.
 *
 * @param text the path as written
 * @param segments the parsed steps, outermost first
 */
public record ConfigPath(String text, List<Segment> segments) {

    /** One step of a path. */
    public sealed interface Segment permits Field, Item {}

    /**
     * A field of a config (or a component of a record leaf).
     *
     * @param name the field name
     */
    public record Field(String name) implements Segment {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A list index or map key, written in brackets.
     *
     * @param key the text between the brackets
     */
    public record Item(String key) implements Segment {
        @Override
        public String toString() {
            return "[" + key + "]";
        }
    }

    /** The name of the pseudo-field that holds a config node's registered type name. */
    public static final String TYPE_FIELD = "@type";

    public ConfigPath {
        segments = List.copyOf(segments);
    }

    /**
     * Parses a path.
     *
     * @throws ConfigException if the path is empty or malformed (an unclosed bracket, an empty
     *     segment)
     */
    public static ConfigPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException("empty config path");
        }
        List<Segment> segments = new ArrayList<>();
        int i = 0;
        int n = text.length();
        boolean expectField = true;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw new ConfigException("config path " + text + ": unclosed '['");
                }
                String key = text.substring(i + 1, close);
                if (key.isEmpty()) {
                    throw new ConfigException("config path " + text + ": empty '[]'");
                }
                if (segments.isEmpty()) {
                    throw new ConfigException(
                            "config path " + text + ": must start with a field name");
                }
                segments.add(new Item(key));
                i = close + 1;
                expectField = false;
            } else if (c == '.') {
                if (expectField) {
                    throw new ConfigException("config path " + text + ": empty segment");
                }
                i++;
                expectField = true;
                if (i == n) {
                    throw new ConfigException("config path " + text + ": ends with '.'");
                }
            } else {
                if (!expectField) {
                    throw new ConfigException(
                            "config path " + text + ": expected '.' or '[' at position " + i);
                }
                int end = i;
                while (end < n && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    end++;
                }
                String name = text.substring(i, end).strip();
                if (!name.equals(TYPE_FIELD) && !isIdentifier(name)) {
                    throw new ConfigException(
                            "config path " + text + ": '" + name + "' is not a field name");
                }
                segments.add(new Field(name));
                i = end;
                expectField = false;
            }
        }
        return new ConfigPath(text, segments);
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
            return false;
        }
        return name.chars().allMatch(Character::isJavaIdentifierPart);
    }

    /** Joins a parent path and a field name with a dot (no dot after an empty parent). */
    public static String child(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    /** Appends a {@code [key]} selector to a path. */
    public static String item(String parent, Object key) {
        return parent + "[" + key + "]";
    }

    @Override
    public String toString() {
        return text;
    }
}

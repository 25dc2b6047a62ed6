package io.axlearn.core.learner;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Values chosen per parameter by regular expressions over its path ({@code
 * decoder/layer0/feed_forward/linear1/bias}): the first pattern, in insertion order, that matches
 * the whole path decides (axlearn's {@code per_param_scale_by_path}). Patterns are compiled once.
 *
 * @param <V> the value type
 */
final class PathRules<V> {
    private record Rule<V>(Pattern pattern, V value) {}

    private final List<Rule<V>> rules;

    private PathRules(List<Rule<V>> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Rules from a pattern-to-value map, tried in the map's iteration order. */
    static <V> PathRules<V> of(Map<String, V> byPattern) {
        List<Rule<V>> rules = new ArrayList<>();
        byPattern.forEach((p, v) -> rules.add(new Rule<>(Pattern.compile(p), v)));
        return new PathRules<>(rules);
    }

    /** Rules that give {@code value} to every path matching one of {@code patterns}. */
    static <V> PathRules<V> all(Collection<String> patterns, V value) {
        List<Rule<V>> rules = new ArrayList<>();
        patterns.forEach(p -> rules.add(new Rule<>(Pattern.compile(p), value)));
        return new PathRules<>(rules);
    }

    /** The value of the first pattern that matches all of {@code path}; empty if none does. */
    Optional<V> match(String path) {
        for (Rule<V> r : rules) {
            if (r.pattern().matcher(path).matches()) {
                return Optional.of(r.value());
            }
        }
        return Optional.empty();
    }

    /** Whether there are no rules. */
    boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * What is wrong with {@code pattern} as a config value ({@code "is not a valid regular
     * expression (Unclosed group near index 1): ("}), or empty if it is a regular expression.
     */
    static Optional<String> patternProblem(String pattern) {
        try {
            Pattern.compile(pattern);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            String where = e.getIndex() >= 0 ? " near index " + e.getIndex() : "";
            return Optional.of(
                    "is not a valid regular expression ("
                            + e.getDescription()
                            + where
                            + "): "
                            + pattern);
        }
    }
}

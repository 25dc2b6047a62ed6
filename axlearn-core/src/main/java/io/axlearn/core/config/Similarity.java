package io.axlearn.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Finds the names nearest to a misspelt one, for "did you mean" hints in error messages. */
public final class Similarity {
    private static final int MAX_SUGGESTIONS = 3;

    private Similarity() {}

    /**
     * The candidates close to {@code name}, nearest first: those within an edit distance of about a
     * third of the name's length, or that contain it or are contained in it ignoring case.
     */
    public static List<String> nearest(String name, Collection<String> candidates) {
        String lower = name.toLowerCase(Locale.ROOT);
        int limit = Math.max(2, name.length() / 3);
        record Scored(String candidate, int distance) {}
        List<Scored> scored = new ArrayList<>();
        for (String c : candidates) {
            String cl = c.toLowerCase(Locale.ROOT);
            int d = distance(lower, cl);
            boolean contains = lower.length() >= 3 && (cl.contains(lower) || lower.contains(cl));
            if (d <= limit || contains) {
                scored.add(new Scored(c, d));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::distance).thenComparing(Scored::candidate));
        return scored.stream().limit(MAX_SUGGESTIONS).map(Scored::candidate).toList();
    }

    /** Levenshtein distance with unit costs. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

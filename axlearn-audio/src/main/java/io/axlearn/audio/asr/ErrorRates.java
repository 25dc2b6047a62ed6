package io.axlearn.audio.asr;

import java.util.Arrays;

/**
 * Character and word error rates: the Levenshtein distance between hypothesis and reference
 * (substitutions, insertions and deletions each cost 1) over the reference length. Words are the
 * runs of non-space characters.
 */
public final class ErrorRates {
    private ErrorRates() {}

    /** Edit distance between two sequences. */
    public static int editDistance(Object[] hypothesis, Object[] reference) {
        int[] previous = new int[reference.length + 1];
        int[] current = new int[reference.length + 1];
        for (int j = 0; j <= reference.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= hypothesis.length; i++) {
            current[0] = i;
            for (int j = 1; j <= reference.length; j++) {
                int substitute =
                        previous[j - 1] + (hypothesis[i - 1].equals(reference[j - 1]) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[reference.length];
    }

    /** Character edits from {@code hypothesis} to {@code reference}. */
    public static int characterErrors(String hypothesis, String reference) {
        return editDistance(chars(hypothesis), chars(reference));
    }

    /** Word edits from {@code hypothesis} to {@code reference}. */
    public static int wordErrors(String hypothesis, String reference) {
        return editDistance(words(hypothesis), words(reference));
    }

    /** Number of words of {@code text}. */
    public static int wordCount(String text) {
        return words(text).length;
    }

    private static Object[] chars(String s) {
        return s.chars().mapToObj(c -> (char) c).toArray();
    }

    private static Object[] words(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(w -> !w.isEmpty()).toArray();
    }
}

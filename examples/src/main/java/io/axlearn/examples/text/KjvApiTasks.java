package io.axlearn.examples.text;

import io.axlearn.text.input.TextFiles;
import io.axlearn.trainer.serve.ApiTask;
import io.axlearn.trainer.serve.ApiTaskProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code axlearn eval-api} tasks built from the embedded King James Bible.
 *
 * <ul>
 *   <li>{@code kjv-next-line}: next-line completion on the held-out tail that {@code text.charlm}
 *       validates on (the last 2% of the corpus, the {@code EVAL} split of {@link
 *       io.axlearn.text.input.ByteTextSource}; no run of those experiments trained on it). Each
 *       example's prompt is two lines of text, a newline, and the first {@value #PROMPT_WORDS}
 *       words of the next line (a verse number counts as a word); its reference is the rest of that
 *       line (starting with its space). Lines with fewer than {@value #MIN_WORDS} words are
 *       skipped.
 * </ul>
 */
public final class KjvApiTasks implements ApiTaskProvider {
    /** The held-out fraction of the corpus, from its end (as {@code ByteTextSource}'s default). */
    static final double HELD_OUT_FRACTION = 0.02;

    /** Words of the line to complete that the prompt gives. */
    static final int PROMPT_WORDS = 3;

    /** Fewest words a line needs to be an example. */
    static final int MIN_WORDS = 6;

    @Override
    public Map<String, Supplier<ApiTask>> tasks() {
        return Map.of("kjv-next-line", KjvApiTasks::nextLine);
    }

    /** The {@code kjv-next-line} task. */
    static ApiTask nextLine() {
        byte[] corpus = TextFiles.read(CharLmExperiments.KJV, "task kjv-next-line");
        int start = (int) Math.round(corpus.length * (1 - HELD_OUT_FRACTION));
        String tail = new String(corpus, start, corpus.length - start, StandardCharsets.UTF_8);
        // Drop the partial first line: the held-out tail starts mid-line.
        List<String> lines =
                Arrays.stream(tail.substring(tail.indexOf('\n') + 1).split("\n"))
                        .filter(l -> !l.isBlank())
                        .toList();
        List<ApiTask.Example> examples = new ArrayList<>();
        for (int i = 2; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] words = line.strip().split(" +");
            if (words.length < MIN_WORDS) {
                continue;
            }
            int cut = indexAfterWords(line, PROMPT_WORDS);
            examples.add(
                    new ApiTask.Example(
                            lines.get(i - 2)
                                    + "\n"
                                    + lines.get(i - 1)
                                    + "\n"
                                    + line.substring(0, cut),
                            line.substring(cut)));
        }
        return new ApiTask("kjv-next-line", examples);
    }

    /** The index just after the {@code n}-th word of {@code line} (words split by spaces). */
    private static int indexAfterWords(String line, int n) {
        int i = 0;
        for (int w = 0; w < n; w++) {
            while (i < line.length() && line.charAt(i) == ' ') {
                i++;
            }
            while (i < line.length() && line.charAt(i) != ' ') {
                i++;
            }
        }
        return i;
    }
}

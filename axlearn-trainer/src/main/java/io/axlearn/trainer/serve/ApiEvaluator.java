package io.axlearn.trainer.serve;

import io.axlearn.trainer.serve.OpenAiSchema.Completion;
import io.axlearn.trainer.serve.OpenAiSchema.CompletionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs an {@link ApiTask} against an OpenAI-compatible completions endpoint and scores the answers:
 * each prompt is sent once, greedy ({@code temperature} 0) and stopping at the end of the line, and
 * the completion, cut at its first newline, is compared with the reference.
 *
 * <p>Metrics, each a mean over the examples:
 *
 * <ul>
 *   <li>{@code exact_match}: the completion equals the reference (both stripped of surrounding
 *       white space);
 *   <li>{@code first_word_match}: their first white-space-separated words are equal;
 *   <li>{@code prefix_match}: the fraction of the reference's characters the completion reproduces
 *       before its first wrong character;
 * </ul>
 *
 * and {@code examples}, how many were scored.
 */
public final class ApiEvaluator {
    private ApiEvaluator() {}

    /**
     * How the task is run.
     *
     * @param model the {@code model} field of the requests
     * @param maxTokens {@code max_tokens} of each request
     * @param maxExamples use the task's first {@code maxExamples} examples
     * @param clients requests in flight at once
     */
    public record Settings(String model, int maxTokens, int maxExamples, int clients) {
        /**
         * @throws IllegalArgumentException naming the setting that is not positive
         */
        public Settings {
            if (maxTokens <= 0 || maxExamples <= 0 || clients <= 0) {
                throw new IllegalArgumentException(
                        "max tokens, examples and clients must be positive, got "
                                + maxTokens
                                + ", "
                                + maxExamples
                                + ", "
                                + clients);
            }
        }
    }

    /**
     * One scored example.
     *
     * @param completion the endpoint's answer, cut at its first newline
     */
    public record Prediction(
            String prompt,
            String reference,
            String completion,
            boolean exactMatch,
            boolean firstWordMatch,
            double prefixMatch) {}

    /**
     * What a run gave.
     *
     * @param metrics metric names to values (see the class description)
     * @param predictions every example's answer and scores, in the task's order
     */
    public record Result(Map<String, Double> metrics, List<Prediction> predictions) {}

    /**
     * Sends the task's prompts through {@code client} and scores the answers.
     *
     * @throws ApiClient.ApiCallException at the first request that gets no answer (the others are
     *     cancelled)
     */
    public static Result evaluate(ApiClient client, ApiTask task, Settings settings) {
        List<ApiTask.Example> examples =
                task.examples()
                        .subList(0, Math.min(settings.maxExamples(), task.examples().size()));
        ExecutorService pool = Executors.newFixedThreadPool(settings.clients());
        try {
            List<Future<Prediction>> answers = new ArrayList<>();
            for (ApiTask.Example e : examples) {
                answers.add(pool.submit(() -> predict(client, e, settings)));
            }
            List<Prediction> predictions = new ArrayList<>();
            for (Future<Prediction> f : answers) {
                predictions.add(f.get());
            }
            return new Result(metrics(predictions), predictions);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Prediction predict(ApiClient client, ApiTask.Example e, Settings settings) {
        Completion answer =
                client.complete(request(settings.model(), e.prompt(), settings.maxTokens()));
        String text = answer.choices().isEmpty() ? "" : answer.choices().get(0).text();
        return score(e, text == null ? "" : text);
    }

    /**
     * The request each example sends: greedy, seed 0, stopping at a newline.
     *
     * @param model the {@code model} field (null leaves it out)
     */
    public static CompletionRequest request(String model, String prompt, int maxTokens) {
        return new CompletionRequest(
                model, List.of(prompt), maxTokens, 0.0, null, 0L, List.of("\n"), null, null, null);
    }

    /** Scores {@code completion} (cut at its first newline) against the example's reference. */
    public static Prediction score(ApiTask.Example e, String completion) {
        int newline = completion.indexOf('\n');
        String line = newline < 0 ? completion : completion.substring(0, newline);
        String reference = e.reference();
        int same = 0;
        while (same < line.length()
                && same < reference.length()
                && line.charAt(same) == reference.charAt(same)) {
            same++;
        }
        return new Prediction(
                e.prompt(),
                reference,
                line,
                line.strip().equals(reference.strip()),
                firstWord(line).equals(firstWord(reference)),
                reference.isEmpty()
                        ? (line.isEmpty() ? 1 : 0)
                        : (double) same / reference.length());
    }

    private static String firstWord(String s) {
        String[] words = s.strip().split("\\s+", 2);
        return words[0];
    }

    private static Map<String, Double> metrics(List<Prediction> predictions) {
        Map<String, Double> metrics = new TreeMap<>();
        double n = predictions.size();
        metrics.put("examples", n);
        metrics.put("exact_match", predictions.stream().filter(Prediction::exactMatch).count() / n);
        metrics.put(
                "first_word_match",
                predictions.stream().filter(Prediction::firstWordMatch).count() / n);
        metrics.put(
                "prefix_match",
                predictions.stream().mapToDouble(Prediction::prefixMatch).sum() / n);
        return metrics;
    }
}

package io.axlearn.examples.bench;

import io.axlearn.trainer.serve.ApiClient;
import io.axlearn.trainer.serve.OpenAiSchema.Completion;
import io.axlearn.trainer.serve.OpenAiSchema.CompletionRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load on an OpenAI-compatible completions endpoint (e.g. {@code axlearn serve}): {@code requests}
 * non-streamed completions of {@code maxTokens} tokens each (temperature 0.8, a different seed and
 * one of a few KJV prompts each) from {@code clients} concurrent clients; prints the errors, the
 * latency percentiles of a request and the generated tokens per second of wall time. Exits 1 if any
 * request failed.
 *
 * <pre>
 * ./axlearn run-class io.axlearn.examples.bench.ServeLoadBenchmark ENDPOINT [requests] [clients] [maxTokens]
 * </pre>
 *
 * with {@code ENDPOINT} like {@code http://127.0.0.1:8000/v1}; the bearer key, if the server needs
 * one, is read from the environment variable {@code AXLEARN_API_KEY}.
 */
public final class ServeLoadBenchmark {
    private ServeLoadBenchmark() {}

    private static final List<String> PROMPTS =
            List.of(
                    "In the beginning",
                    "And God said",
                    "The LORD is my shepherd",
                    "Blessed are the",
                    "And it came to pass");

    /** What one request took. */
    private record Sample(double millis, int tokens) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println(
                    "usage: ServeLoadBenchmark ENDPOINT [requests] [clients] [maxTokens]");
            System.exit(2);
        }
        URI endpoint = URI.create(args[0]);
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int maxTokens = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        ApiClient client =
                new ApiClient(endpoint, System.getenv("AXLEARN_API_KEY"), Duration.ofMinutes(5));

        // One untimed request first: the server's first generation loads its kernels.
        client.complete(request(0, maxTokens));

        AtomicInteger next = new AtomicInteger();
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            running.add(
                    pool.submit(
                            () -> {
                                for (int i = next.getAndIncrement();
                                        i < requests;
                                        i = next.getAndIncrement()) {
                                    long t0 = System.nanoTime();
                                    try {
                                        Completion done = client.complete(request(i, maxTokens));
                                        samples.add(
                                                new Sample(
                                                        (System.nanoTime() - t0) / 1e6,
                                                        done.usage().completionTokens()));
                                    } catch (ApiClient.ApiCallException e) {
                                        errors.add(e.getMessage());
                                    }
                                }
                            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();

        double[] millis = samples.stream().mapToDouble(Sample::millis).sorted().toArray();
        long tokens = samples.stream().mapToLong(Sample::tokens).sum();
        System.out.printf(
                "%s: %d requests of max_tokens=%d from %d clients in %.1f s: %d ok, %d errors%n",
                endpoint, requests, maxTokens, clients, seconds, samples.size(), errors.size());
        if (millis.length > 0) {
            System.out.printf(
                    "latency ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f%n",
                    percentile(millis, 50),
                    percentile(millis, 90),
                    percentile(millis, 99),
                    millis[millis.length - 1]);
        }
        System.out.printf(
                "throughput: %.1f requests/s, %.0f generated tokens/s (%d tokens)%n",
                samples.size() / seconds, tokens / seconds, tokens);
        errors.stream().limit(5).forEach(e -> System.out.println("error: " + e));
        System.exit(errors.isEmpty() ? 0 : 1);
    }

    private static CompletionRequest request(int i, int maxTokens) {
        return new CompletionRequest(
                null,
                List.of(PROMPTS.get(i % PROMPTS.size())),
                maxTokens,
                0.8,
                null,
                (long) i,
                null,
                null,
                null,
                null);
    }

    /** The nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}

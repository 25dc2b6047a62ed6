package io.axlearn.trainer.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.axlearn.core.config.ConfigException;
import io.axlearn.trainer.serve.ApiClient;
import io.axlearn.trainer.serve.ApiEvaluator;
import io.axlearn.trainer.serve.ApiTask;
import io.axlearn.trainer.serve.OpenAiSchema;
import io.axlearn.trainer.summary.SummaryWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code axlearn eval-api}: runs a generation task against any OpenAI-compatible completions
 * endpoint ({@link ApiEvaluator}) and writes its metrics as an evaler does, to {@code
 * <output-dir>/summaries/<task>/metrics.jsonl} and a TensorBoard event file, with every answer in
 * {@code predictions.jsonl} beside them. A request that gets no answer ends the run with one line
 * naming the URL and the HTTP status, and exit status 1.
 */
@Command(
        name = "eval-api",
        mixinStandardHelpOptions = true,
        description =
                "Evaluate an OpenAI-compatible endpoint on a generation task; write its metrics"
                        + " under --output-dir/summaries/<task>/.")
final class EvalApiCommand implements Callable<Integer> {
    /** Exit status when the endpoint did not answer a request. */
    static final int EXIT_API_FAILED = 1;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--endpoint",
            required = true,
            description = "Base URL of the API, e.g. http://127.0.0.1:8000/v1.")
    URI endpoint;

    /** Exactly one of a named task and a task file. */
    static final class TaskChoice {
        @Option(
                names = "--task",
                required = true,
                description = "A named task, e.g. kjv-next-line.")
        String name;

        @Option(
                names = "--task-file",
                required = true,
                description = "JSON lines of {\"prompt\": ..., \"reference\": ...}.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    TaskChoice task;

    @Option(names = "--output-dir", required = true, description = "Where summaries go.")
    Path outputDir;

    @Option(
            names = "--api-key-file",
            description = "File whose first line is sent as the bearer key.")
    Path apiKeyFile;

    @Option(
            names = "--model",
            description = "The requests' model; default: the first of GET <endpoint>/models.")
    String model;

    @Option(
            names = "--max-examples",
            defaultValue = "200",
            description = "Use the task's first N examples. Default: ${DEFAULT-VALUE}.")
    int maxExamples;

    @Option(
            names = "--max-tokens",
            defaultValue = "64",
            description = "max_tokens of each request. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(
            names = "--clients",
            defaultValue = "4",
            description = "Requests in flight at once. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(
            names = "--step",
            defaultValue = "0",
            description = "Step the metrics are written at. Default: ${DEFAULT-VALUE}.")
    long step;

    @Option(
            names = "--timeout-s",
            defaultValue = "300",
            description = "Longest wait for one answer, in seconds. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Override
    public Integer call() {
        ApiTask t = task.file != null ? ApiTask.fromJsonl(task.file) : ApiTask.named(task.name);
        String key = apiKeyFile == null ? null : ServeCommand.readKey(apiKeyFile);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ApiEvaluator.Result result;
        String modelId = model;
        try {
            ApiClient client = new ApiClient(endpoint, key, Duration.ofSeconds(timeoutSeconds));
            if (modelId == null) {
                List<String> ids = client.modelIds();
                if (ids.isEmpty()) {
                    throw new ConfigException(endpoint + "/models lists no model; give --model");
                }
                modelId = ids.get(0);
            }
            ApiEvaluator.Settings settings;
            try {
                settings = new ApiEvaluator.Settings(modelId, maxTokens, maxExamples, clients);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            result = ApiEvaluator.evaluate(client, t, settings);
        } catch (ApiClient.ApiCallException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return EXIT_API_FAILED;
        }
        try (SummaryWriter summaries = new SummaryWriter(outputDir, t.name())) {
            summaries.write(step, result.metrics());
            writePredictions(summaries.dir().resolve("predictions.jsonl"), result.predictions());
        }
        result.metrics().forEach((k, v) -> out.printf("eval-api %s %s %.4f%n", t.name(), k, v));
        out.printf(
                "model %s at %s; metrics in %s%n",
                modelId, endpoint, outputDir.resolve("summaries").resolve(t.name()));
        out.flush();
        return 0;
    }

    private static void writePredictions(Path file, List<ApiEvaluator.Prediction> predictions) {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (ApiEvaluator.Prediction p : predictions) {
                w.write(OpenAiSchema.json().writeValueAsString(p));
                w.write('\n');
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.serve.ApiClient;
import io.axlearn.trainer.serve.ApiEvaluator;
import io.axlearn.trainer.serve.ApiTask;
import io.axlearn.trainer.serve.CompletionServer;
import io.axlearn.trainer.serve.TrainedGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code axlearn eval-api} against our own server on loopback, in front of a small charlm. */
class EvalApiCommandTest {
    private static final String KEY = "eval-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;

    private static NDManager root;
    private static CompletionServer server;
    private static Path keyFile;

    @BeforeAll
    static void trainAndServe() throws Exception {
        SmallRun.Result trained = SmallRun.run(SmallRun.args("train", dir, 10));
        assertEquals(0, trained.status(), trained.err());
        root = Engines.pytorch().newBaseManager();
        server =
                CompletionServer.start(
                        TrainedGenerator.load(dir, root, w -> {}),
                        root,
                        new CompletionServer.Options(
                                "127.0.0.1", 0, KEY, "small", CompletionServer.Limits.defaults()),
                        new PrintWriter(new StringWriter()));
        keyFile = dir.resolve("key.txt");
        Files.writeString(keyFile, KEY + "\n");
    }

    @AfterAll
    static void stop() {
        server.close();
        root.close();
    }

    private static SmallRun.Result evalApi(String... options) {
        List<String> args =
                new ArrayList<>(List.of("eval-api", "--endpoint", server.baseUri().toString()));
        args.addAll(List.of(options));
        return SmallRun.run(args);
    }

    private static JsonNode lastMetrics(Path out, String task) throws Exception {
        List<String> lines =
                Files.readAllLines(out.resolve("summaries/" + task + "/metrics.jsonl"));
        return JSON.readTree(lines.get(lines.size() - 1));
    }

    @Test
    void kjvNextLine_isBuiltFromTheHeldOutTail() {
        ApiTask task = ApiTask.named("kjv-next-line");
        assertTrue(task.examples().size() > 500, "examples: " + task.examples().size());
        ApiTask.Example last = task.examples().get(task.examples().size() - 1);
        // The corpus ends with Revelation 22:21 (a verse number counts as a word).
        assertEquals(
                "  21 The grace", last.prompt().substring(last.prompt().lastIndexOf('\n') + 1));
        assertEquals(" of our Lord Jesus Christ be with you all. Amen.", last.reference());
    }

    @Test
    void evalApi_writesMetricsLikeTheEvaler() throws Exception {
        Path out = dir.resolve("eval-kjv");
        SmallRun.Result r =
                evalApi(
                        "--task",
                        "kjv-next-line",
                        "--max-examples",
                        "6",
                        "--max-tokens",
                        "16",
                        "--api-key-file",
                        keyFile.toString(),
                        "--output-dir",
                        out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("eval-api kjv-next-line examples 6.0000"), r.out());
        JsonNode m = lastMetrics(out, "kjv-next-line");
        assertEquals(0, m.get("step").asLong());
        for (String k : List.of("exact_match", "first_word_match", "prefix_match")) {
            double v = m.get(k).asDouble();
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        assertEquals(
                6,
                Files.readAllLines(out.resolve("summaries/kjv-next-line/predictions.jsonl"))
                        .size());
        try (var files = Files.list(out.resolve("summaries/kjv-next-line"))) {
            assertTrue(
                    files.anyMatch(
                            f -> f.getFileName().toString().startsWith("events.out.tfevents.")));
        }
    }

    @Test
    void taskFile_ofTheModelsOwnAnswers_scoresOne_andLongerReferencesScoreTheirShare()
            throws Exception {
        ApiClient client = new ApiClient(server.baseUri(), KEY, Duration.ofMinutes(1));
        List<String> exact = new ArrayList<>();
        List<String> longer = new ArrayList<>();
        double expectedPrefix = 0;
        List<String> prompts = List.of("And God said", "In the beginning", "Blessed are");
        for (String prompt : prompts) {
            String answer =
                    client.complete(ApiEvaluator.request(null, prompt, 12)).choices().get(0).text();
            exact.add(JSON.writeValueAsString(Map.of("prompt", prompt, "reference", answer)));
            longer.add(
                    JSON.writeValueAsString(Map.of("prompt", prompt, "reference", answer + "xyz")));
            expectedPrefix += answer.length() / (answer.length() + 3.0) / prompts.size();
        }
        Path exactFile = dir.resolve("own.jsonl");
        Files.write(exactFile, exact);
        Path longerFile = dir.resolve("longer.jsonl");
        Files.write(longerFile, longer);
        Path out = dir.resolve("eval-own");
        String[] common = {
            "--max-tokens",
            "12",
            "--api-key-file",
            keyFile.toString(),
            "--output-dir",
            out.toString()
        };

        SmallRun.Result own = evalApi(concat(common, "--task-file", exactFile.toString()));
        assertEquals(0, own.status(), own.err());
        JsonNode m = lastMetrics(out, "own");
        assertEquals(3, m.get("examples").asInt());
        assertEquals(1.0, m.get("exact_match").asDouble());
        assertEquals(1.0, m.get("prefix_match").asDouble());

        SmallRun.Result l =
                evalApi(concat(common, "--task-file", longerFile.toString(), "--model", "small"));
        assertEquals(0, l.status(), l.err());
        JsonNode lm = lastMetrics(out, "longer");
        assertEquals(0.0, lm.get("exact_match").asDouble());
        assertEquals(expectedPrefix, lm.get("prefix_match").asDouble(), 1e-9);
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void failures_areOneLine() throws Exception {
        String out = dir.resolve("eval-bad").toString();
        Path wrongKey = dir.resolve("wrong.txt");
        Files.writeString(wrongKey, "nope\n");
        SmallRun.Result unauthorized =
                evalApi(
                        "--task",
                        "kjv-next-line",
                        "--api-key-file",
                        wrongKey.toString(),
                        "--output-dir",
                        out);
        assertEquals(1, unauthorized.status());
        assertEquals(
                "error: GET " + server.baseUri() + "/models: HTTP 401: incorrect API key",
                unauthorized.err().strip());

        SmallRun.Result wrongModel =
                evalApi(
                        "--task",
                        "kjv-next-line",
                        "--api-key-file",
                        keyFile.toString(),
                        "--model",
                        "gpt-4",
                        "--output-dir",
                        out);
        assertEquals(1, wrongModel.status());
        assertEquals(
                "error: POST "
                        + server.baseUri()
                        + "/completions: HTTP 404: model 'gpt-4' is not served here; this server serves 'small'",
                wrongModel.err().strip());

        SmallRun.Result unknownTask = evalApi("--task", "nope", "--output-dir", out);
        assertEquals(2, unknownTask.status());
        assertEquals(
                "error: --task nope: no such task; known: kjv-next-line (or give --task-file)",
                unknownTask.err().strip());

        CompletionServer gone =
                CompletionServer.start(
                        TrainedGenerator.load(dir, root, w -> {}),
                        root,
                        new CompletionServer.Options(
                                "127.0.0.1", 0, null, "x", CompletionServer.Limits.defaults()),
                        new PrintWriter(new StringWriter()));
        String url = gone.baseUri().toString();
        gone.close();
        SmallRun.Result refused =
                SmallRun.run(
                        List.of(
                                "eval-api",
                                "--endpoint",
                                url,
                                "--task",
                                "kjv-next-line",
                                "--output-dir",
                                out));
        assertEquals(1, refused.status());
        assertTrue(
                refused.err()
                        .startsWith(
                                "error: GET "
                                        + url
                                        + "/models: no answer (java.net.ConnectException"),
                refused.err());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
    }
}

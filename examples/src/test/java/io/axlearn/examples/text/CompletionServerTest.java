package io.axlearn.examples.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.core.ndarray.Engines;
import io.axlearn.trainer.serve.CompletionServer;
import io.axlearn.trainer.serve.TrainedGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code axlearn serve}'s {@link CompletionServer} on an ephemeral loopback port in front of a
 * shrunken text.charlm trained a few steps, called with {@link HttpClient} (and a raw socket for a
 * client that goes away mid-stream).
 */
class CompletionServerTest {
    private static final String KEY = "test-key-123";
    private static final String PROMPT = GenerateCommandTest.PROMPT;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;

    private static NDManager root;
    private static TrainedGenerator run;
    private static CompletionServer server;
    private static final StringWriter serverLog = new StringWriter();
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void trainAndServe() {
        SmallRun.Result trained = SmallRun.run(SmallRun.args("train", dir, 10));
        assertEquals(0, trained.status(), trained.err());
        root = Engines.pytorch().newBaseManager();
        run = TrainedGenerator.load(dir, root, w -> {});
        server = start(new CompletionServer.Limits(4096, 512, 4));
    }

    private static CompletionServer start(CompletionServer.Limits limits) {
        return CompletionServer.start(
                run,
                root,
                new CompletionServer.Options("127.0.0.1", 0, KEY, "charlm-small", limits),
                new PrintWriter(serverLog, true));
    }

    @AfterAll
    static void stop() {
        server.close();
        root.close();
    }

    /** Status and body of one exchange. */
    private record Answer(int status, String body, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private static Answer send(
            CompletionServer to, String method, String path, String body, String... headers) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(
                                URI.create(to.baseUri().toString().replace("/v1", "") + path))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        }
    }

    private static final String[] AUTH_JSON = {
        "Authorization", "Bearer " + KEY, "Content-Type", "application/json"
    };

    private static Answer post(String path, Object body) {
        try {
            return send(server, "POST", path, JSON.writeValueAsString(body), AUTH_JSON);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Object> sampled(int maxTokens, int seed) {
        return new java.util.LinkedHashMap<>(
                Map.of(
                        "prompt",
                        PROMPT,
                        "max_tokens",
                        maxTokens,
                        "temperature",
                        0.9,
                        "top_p",
                        0.95,
                        "seed",
                        seed));
    }

    /** The {@code data:} payloads of a server-sent event stream, {@code [DONE]} included. */
    private static List<String> events(String stream) {
        List<String> events = new ArrayList<>();
        for (String block : stream.split("\n\n")) {
            if (!block.isBlank()) {
                assertTrue(block.startsWith("data: "), block);
                events.add(block.substring("data: ".length()));
            }
        }
        return events;
    }

    @Test
    void completion_equalsGenerateCommand_forTheSameSeed() {
        // GenerateCommandTest's sampling: 24 bytes, temperature 0.9, top-p 0.95, seed 3.
        SmallRun.Result cli = GenerateCommandTest.sampled(dir, 3);
        assertEquals(0, cli.status(), cli.err());
        String expected = cli.out().substring(PROMPT.length(), cli.out().length() - 1);

        Answer a = post("/v1/completions", sampled(24, 3));
        assertEquals(200, a.status(), a.body());
        JsonNode j = a.json();
        assertEquals("text_completion", j.get("object").asText());
        assertEquals("charlm-small", j.get("model").asText());
        JsonNode choice = j.get("choices").get(0);
        assertEquals(expected, choice.get("text").asText());
        JsonNode usage = j.get("usage");
        assertEquals(
                usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(),
                usage.get("total_tokens").asInt());
        assertEquals(run.generator().countTokens(expected), usage.get("completion_tokens").asInt());
        assertEquals(
                usage.get("completion_tokens").asInt() >= 24 ? "length" : "stop",
                choice.get("finish_reason").asText());
        assertTrue(a.response().headers().firstValue("Content-Type").orElse("").contains("json"));
    }

    @Test
    void streamedChunks_concatenateToTheAnswer() {
        String full = post("/v1/completions", sampled(40, 5)).json().at("/choices/0/text").asText();
        Map<String, Object> streamed = sampled(40, 5);
        streamed.put("stream", true);
        Answer s = post("/v1/completions", streamed);
        assertEquals(200, s.status(), s.body());
        assertTrue(
                s.response()
                        .headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith("text/event-stream"));
        List<String> events = events(s.body());
        assertEquals("[DONE]", events.get(events.size() - 1));
        StringBuilder joined = new StringBuilder();
        for (String e : events.subList(0, events.size() - 2)) {
            JsonNode choice = parse(e).at("/choices/0");
            assertTrue(choice.get("finish_reason").isNull(), e);
            joined.append(choice.get("text").asText());
        }
        JsonNode last = parse(events.get(events.size() - 2));
        assertFalse(last.at("/choices/0/finish_reason").isNull(), events.toString());
        assertEquals(full, joined.toString());
        assertTrue(events.size() > 4, "expected several pieces, got " + events);
    }

    @Test
    void chat_appliesTheTemplate_andStreamsTheSameContent() {
        Map<String, Object> body =
                new java.util.LinkedHashMap<>(
                        Map.of(
                                "messages",
                                List.of(
                                        Map.of("role", "system", "content", "Answer in verse."),
                                        Map.of("role", "user", "content", "Who made light?")),
                                "max_tokens",
                                30,
                                "temperature",
                                0.8,
                                "seed",
                                11));
        Answer a = post("/v1/chat/completions", body);
        assertEquals(200, a.status(), a.body());
        JsonNode j = a.json();
        assertEquals("chat.completion", j.get("object").asText());
        assertEquals("assistant", j.at("/choices/0/message/role").asText());
        String content = j.at("/choices/0/message/content").asText();
        assertEquals(
                run.generator()
                        .countTokens("system: Answer in verse.\nuser: Who made light?\nassistant:"),
                j.at("/usage/prompt_tokens").asInt());

        body.put("stream", true);
        List<String> events = events(post("/v1/chat/completions", body).body());
        assertEquals("assistant", parse(events.get(0)).at("/choices/0/delta/role").asText());
        StringBuilder joined = new StringBuilder();
        for (String e : events.subList(1, events.size() - 1)) {
            JsonNode chunk = parse(e);
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            joined.append(chunk.at("/choices/0/delta/content").asText(""));
        }
        assertEquals(content, joined.toString());
        assertFalse(parse(events.get(events.size() - 2)).at("/choices/0/finish_reason").isNull());
    }

    @Test
    void stopString_cutsTheAnswerBeforeIt() {
        String full = post("/v1/completions", sampled(40, 7)).json().at("/choices/0/text").asText();
        String stop = full.substring(10, 12);
        Map<String, Object> body = sampled(40, 7);
        body.put("stop", List.of(stop, "\u0000never"));
        JsonNode j = post("/v1/completions", body).json();
        assertEquals(full.substring(0, full.indexOf(stop)), j.at("/choices/0/text").asText());
        assertEquals("stop", j.at("/choices/0/finish_reason").asText());
    }

    @Test
    void modelsAndHealth() {
        Answer models = send(server, "GET", "/v1/models", null, "Authorization", "Bearer " + KEY);
        assertEquals(200, models.status(), models.body());
        assertEquals("list", models.json().get("object").asText());
        assertEquals("charlm-small", models.json().at("/data/0/id").asText());
        Answer health = send(server, "GET", "/health", null, "Authorization", "Bearer " + KEY);
        assertEquals("ok", health.json().get("status").asText());
    }

    /** A bad request and the status, error code and param it must get. */
    private record Bad(
            String what,
            String method,
            String path,
            String body,
            String[] headers,
            int status,
            String code,
            String param) {}

    private static Bad bad(String what, String path, String body, int status, String param) {
        return new Bad(what, "POST", path, body, AUTH_JSON, status, null, param);
    }

    @Test
    void badRequests_getTheRightStatusAndAnOpenAiErrorBody() {
        String c = "/v1/completions";
        String chat = "/v1/chat/completions";
        String[] noAuth = {"Content-Type", "application/json"};
        List<Bad> cases =
                List.of(
                        new Bad(
                                "no key",
                                "POST",
                                c,
                                "{\"prompt\":\"a\"}",
                                noAuth,
                                401,
                                "invalid_api_key",
                                null),
                        new Bad(
                                "wrong key",
                                "POST",
                                c,
                                "{\"prompt\":\"a\"}",
                                new String[] {"Authorization", "Bearer nope"},
                                401,
                                "invalid_api_key",
                                null),
                        new Bad(
                                "basic auth",
                                "GET",
                                "/v1/models",
                                null,
                                new String[] {"Authorization", "Basic " + KEY},
                                401,
                                "invalid_api_key",
                                null),
                        new Bad(
                                "unknown path",
                                "GET",
                                "/v1/engines",
                                null,
                                AUTH_JSON,
                                404,
                                "not_found",
                                null),
                        new Bad(
                                "GET completions",
                                "GET",
                                c,
                                null,
                                AUTH_JSON,
                                405,
                                "method_not_allowed",
                                null),
                        new Bad(
                                "POST models",
                                "POST",
                                "/v1/models",
                                "{}",
                                AUTH_JSON,
                                405,
                                "method_not_allowed",
                                null),
                        new Bad(
                                "text body",
                                "POST",
                                c,
                                "prompt=a",
                                new String[] {
                                    "Authorization", "Bearer " + KEY, "Content-Type", "text/plain"
                                },
                                415,
                                "unsupported_media_type",
                                null),
                        new Bad(
                                "oversize",
                                "POST",
                                c,
                                "{\"prompt\":\"" + "a".repeat(5000) + "\"}",
                                AUTH_JSON,
                                413,
                                "request_too_large",
                                null),
                        bad("empty body", c, "", 400, null),
                        bad("malformed JSON", c, "{\"prompt\": \"a\",", 400, null),
                        bad("not an object", c, "[1, 2]", 400, null),
                        bad("trailing text", c, "{\"prompt\":\"a\"} x", 400, null),
                        bad("duplicate field", c, "{\"prompt\":\"a\",\"prompt\":\"b\"}", 400, null),
                        bad(
                                "unknown field",
                                c,
                                "{\"prompt\":\"a\",\"temprature\":1}",
                                400,
                                "temprature"),
                        bad("missing prompt", c, "{\"max_tokens\":4}", 400, "prompt"),
                        bad("empty prompt", c, "{\"prompt\":\"\"}", 400, "prompt"),
                        bad("numeric prompt", c, "{\"prompt\":[5]}", 400, "prompt[0]"),
                        bad("scalar numeric prompt", c, "{\"prompt\":5}", 400, "prompt"),
                        bad("second prompt numeric", c, "{\"prompt\":[\"a\",5]}", 400, "prompt[1]"),
                        bad("two prompts", c, "{\"prompt\":[\"a\",\"b\"]}", 400, "prompt"),
                        bad(
                                "zero max_tokens",
                                c,
                                "{\"prompt\":\"a\",\"max_tokens\":0}",
                                400,
                                "max_tokens"),
                        bad(
                                "max_tokens over limit",
                                c,
                                "{\"prompt\":\"a\",\"max_tokens\":513}",
                                400,
                                "max_tokens"),
                        bad(
                                "max_tokens as string",
                                c,
                                "{\"prompt\":\"a\",\"max_tokens\":\"16\"}",
                                400,
                                "max_tokens"),
                        bad(
                                "fractional max_tokens",
                                c,
                                "{\"prompt\":\"a\",\"max_tokens\":1.5}",
                                400,
                                "max_tokens"),
                        bad(
                                "negative temperature",
                                c,
                                "{\"prompt\":\"a\",\"temperature\":-1}",
                                400,
                                "temperature"),
                        bad("top_p above 1", c, "{\"prompt\":\"a\",\"top_p\":1.5}", 400, "top_p"),
                        bad("n above 1", c, "{\"prompt\":\"a\",\"n\":2}", 400, "n"),
                        bad(
                                "five stops",
                                c,
                                "{\"prompt\":\"a\",\"stop\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}",
                                400,
                                "stop"),
                        bad(
                                "stream not boolean",
                                c,
                                "{\"prompt\":\"a\",\"stream\":\"yes\"}",
                                400,
                                "stream"),
                        new Bad(
                                "other model",
                                "POST",
                                c,
                                "{\"prompt\":\"a\",\"model\":\"gpt-4\"}",
                                AUTH_JSON,
                                404,
                                "model_not_found",
                                "model"),
                        bad("no messages", chat, "{\"messages\":[]}", 400, "messages"),
                        bad("messages not array", chat, "{\"messages\":\"hi\"}", 400, "messages"),
                        bad(
                                "unknown role",
                                chat,
                                "{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}",
                                400,
                                "messages[0].role"),
                        bad(
                                "no content",
                                chat,
                                "{\"messages\":[{\"role\":\"user\"}]}",
                                400,
                                "messages[0].content"),
                        bad(
                                "unknown message field",
                                chat,
                                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"mood\":1}]}",
                                400,
                                "messages[0].mood"));
        assertTrue(cases.size() >= 20);
        for (Bad b : cases) {
            Answer a = send(server, b.method(), b.path(), b.body(), b.headers());
            assertEquals(b.status(), a.status(), b.what() + ": " + a.body());
            JsonNode error = a.json().get("error");
            assertNotNull(error, b.what() + ": " + a.body());
            assertEquals(1, a.json().size(), b.what() + ": " + a.body());
            String message = error.get("message").asText();
            assertFalse(message.isBlank(), b.what());
            assertFalse(
                    message.contains("\n") || message.contains("Exception"),
                    b.what() + ": " + message);
            assertFalse(error.get("type").asText().isBlank(), b.what());
            assertEquals(
                    b.param(),
                    error.get("param").isNull() ? null : error.get("param").asText(),
                    b.what() + ": " + a.body());
            if (b.code() != null) {
                assertEquals(b.code(), error.get("code").asText(), b.what());
            }
        }
        assertEquals("", serverLog.toString(), "no request failed unexpectedly");
    }

    @Test
    void clientLeavingMidStream_freesItsSlot_andBusyServerAnswers429() throws Exception {
        try (CompletionServer one = start(new CompletionServer.Limits(4096, 512, 1))) {
            String body =
                    JSON.writeValueAsString(
                            Map.of("prompt", PROMPT, "max_tokens", 500, "stream", true, "seed", 1));
            Socket socket = new Socket("127.0.0.1", one.port());
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                                    + KEY
                                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                                    + body.getBytes(StandardCharsets.UTF_8).length
                                    + "\r\n\r\n"
                                    + body)
                            .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("HTTP/1.1 200"));
            Iterator<String> lines = in.lines().iterator();
            while (!lines.next().contains("data: ")) {
                // headers and chunk sizes until the first event
            }
            assertEquals(1, one.stats().active());

            Answer refused = send(one, "POST", "/v1/completions", "{\"prompt\":\"a\"}", AUTH_JSON);
            assertEquals(429, refused.status(), refused.body());
            assertEquals("too_many_requests", refused.json().at("/error/code").asText());

            socket.close();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (one.stats().active() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            CompletionServer.Stats stats = one.stats();
            assertEquals(0, stats.active());
            assertEquals(1, stats.cancelled(), stats.toString());
            assertEquals(0, stats.completed(), "the generation was stopped, not finished");

            Answer next =
                    send(
                            one,
                            "POST",
                            "/v1/completions",
                            "{\"prompt\":\"a\",\"max_tokens\":3}",
                            AUTH_JSON);
            assertEquals(200, next.status(), next.body());
        }
    }

    @Test
    void serveCommand_servesInAChildJvm_andBadInputIsOneLine() throws Exception {
        Path keyFile = dir.resolve("key.txt");
        Files.writeString(keyFile, KEY + "\n");
        List<String> command = SmallRun.mainInChildJvm();
        command.addAll(
                List.of(
                        "serve",
                        "--trainer-dir",
                        dir.toString(),
                        "--port",
                        "0",
                        "--api-key-file",
                        keyFile.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
                assertNotNull(line, "serve exited before serving");
            } while (!line.startsWith("serving "));
            String url = line.substring(line.indexOf("http://")).split(" ")[0];
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url + "/models"))
                                    .header("Authorization", "Bearer " + KEY)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(
                    dir.getFileName().toString(),
                    JSON.readTree(r.body()).at("/data/0/id").asText());
        } finally {
            p.destroy();
            p.waitFor();
        }

        SmallRun.Result noRun =
                SmallRun.run(List.of("serve", "--trainer-dir", dir.resolve("nothing").toString()));
        assertEquals(2, noRun.status());
        assertTrue(noRun.err().strip().startsWith("error: --trainer-dir "), noRun.err());
        Path empty = dir.resolve("empty-key.txt");
        Files.writeString(empty, "\n");
        SmallRun.Result emptyKey =
                SmallRun.run(
                        List.of(
                                "serve",
                                "--trainer-dir",
                                dir.toString(),
                                "--api-key-file",
                                empty.toString()));
        assertEquals(2, emptyKey.status());
        assertEquals(
                "error: --api-key-file " + empty + ": its first line is empty",
                emptyKey.err().strip());
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}

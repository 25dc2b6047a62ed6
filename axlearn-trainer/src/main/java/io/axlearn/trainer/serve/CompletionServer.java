package io.axlearn.trainer.serve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.axlearn.core.module.TextGenerator;
import io.axlearn.trainer.serve.OpenAiSchema.ChatChoice;
import io.axlearn.trainer.serve.OpenAiSchema.ChatCompletion;
import io.axlearn.trainer.serve.OpenAiSchema.ChatDelta;
import io.axlearn.trainer.serve.OpenAiSchema.ChatMessage;
import io.axlearn.trainer.serve.OpenAiSchema.ChatRequest;
import io.axlearn.trainer.serve.OpenAiSchema.Completion;
import io.axlearn.trainer.serve.OpenAiSchema.CompletionChoice;
import io.axlearn.trainer.serve.OpenAiSchema.CompletionRequest;
import io.axlearn.trainer.serve.OpenAiSchema.GenerationRequest;
import io.axlearn.trainer.serve.OpenAiSchema.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * An OpenAI-style HTTP API in front of one {@link TrainedGenerator} ({@code axlearn serve}), on the
 * JDK's built-in HTTP server.
 *
 * <ul>
 *   <li>{@code POST /v1/completions} and {@code POST /v1/chat/completions}: JSON answers, or with
 *       {@code "stream": true} server-sent events ({@code data: {...}}) ending in {@code data:
 *       [DONE]};
 *   <li>{@code GET /v1/models}: the one model; {@code GET /health}: {@code {"status":"ok"}}.
 * </ul>
 *
 * <p>Generations run one at a time in arrival order (the lock is fair); at most {@link
 * Limits#maxConcurrent} requests are admitted (running or waiting), and any more are answered 429
 * at once. Each generation's arrays live on a sub-manager closed when it ends; a streaming client
 * that disconnects makes the next write fail, which ends its generation and frees its slot.
 *
 * <p>Every refused request gets a 4xx status with body {@code {"error": {"message", "type",
 * "param", "code"}}}; an unexpected failure gets a 500 with one line and no stack trace.
 *
 * <p>A chat is turned into a prompt with this template (the model sees plain text):
 *
 * <pre>
 * system: {content}\n        (one line per message, in order, with its role)
 * user: {content}\n
 * assistant:
 * </pre>
 *
 * and generation also stops before {@code "\nuser:"}, {@code "\nsystem:"} or {@code "\nassistant:"}
 * (the model starting the next turn).
 */
public final class CompletionServer implements AutoCloseable {
    /** The roles a chat message may have. */
    static final Set<String> ROLES = Set.of("system", "user", "assistant");

    /** Stop strings every chat generation has besides the request's: the next turn starting. */
    static final List<String> CHAT_TURN_STOPS = List.of("\nuser:", "\nsystem:", "\nassistant:");

    /** Most stop strings a request may give (as OpenAI). */
    static final int MAX_STOPS = 4;

    /** Default {@code max_tokens} of a completion (as OpenAI). */
    static final int DEFAULT_COMPLETION_TOKENS = 16;

    /** Largest {@code temperature} accepted (as OpenAI). */
    static final double MAX_TEMPERATURE = 2;

    /**
     * Bounds on what a request may ask.
     *
     * @param maxRequestBytes the largest request body, in bytes; a larger one is answered 413
     * @param maxTokens the largest {@code max_tokens}; also the default of a chat
     * @param maxConcurrent the most requests generating or waiting to; more are answered 429
     */
    public record Limits(int maxRequestBytes, int maxTokens, int maxConcurrent) {
        /**
         * @throws IllegalArgumentException naming the bound that is not positive
         */
        public Limits {
            if (maxRequestBytes <= 0 || maxTokens <= 0 || maxConcurrent <= 0) {
                throw new IllegalArgumentException(
                        "limits must be positive, got maxRequestBytes="
                                + maxRequestBytes
                                + " maxTokens="
                                + maxTokens
                                + " maxConcurrent="
                                + maxConcurrent);
            }
        }

        /** 1 MiB requests, 512 tokens, 8 requests at once. */
        public static Limits defaults() {
            return new Limits(1 << 20, 512, 8);
        }
    }

    /**
     * Where and how to serve.
     *
     * @param host the address to bind, e.g. {@code 127.0.0.1} (loopback only)
     * @param port the port; 0 picks a free one ({@link #port()} tells which)
     * @param apiKey if not null, every request must send {@code Authorization: Bearer <apiKey>}
     * @param modelName the model id of {@code /v1/models} and of the answers
     * @param limits bounds on requests
     */
    public record Options(String host, int port, String apiKey, String modelName, Limits limits) {}

    /**
     * Counts since start.
     *
     * @param completed generation requests answered in full
     * @param cancelled streams whose client went away before the end (generation stopped early)
     * @param busy requests refused with 429
     * @param active requests admitted and not yet finished
     */
    public record Stats(long completed, long cancelled, long busy, int active) {}

    private final TrainedGenerator model;
    private final NDManager manager;
    private final Options options;
    private final byte[] apiKey;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Semaphore slots;
    private final ReentrantLock generationLock = new ReentrantLock(true);
    private final long created = Instant.now().getEpochSecond();
    private final PrintWriter log;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong busy = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();

    private CompletionServer(
            TrainedGenerator model, NDManager manager, Options options, PrintWriter log)
            throws IOException {
        this.model = model;
        this.manager = manager;
        this.options = options;
        this.log = log;
        this.apiKey =
                options.apiKey() == null ? null : options.apiKey().getBytes(StandardCharsets.UTF_8);
        this.slots = new Semaphore(options.limits().maxConcurrent());
        AtomicInteger threadId = new AtomicInteger();
        this.executor =
                Executors.newFixedThreadPool(
                        options.limits().maxConcurrent() + 4,
                        r -> {
                            Thread t = new Thread(r, "serve-" + threadId.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /**
     * Starts serving {@code model}, whose generations put their arrays on sub-managers of {@code
     * manager}.
     *
     * @param log receives one line per request that failed unexpectedly (500)
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static CompletionServer start(
            TrainedGenerator model, NDManager manager, Options options, PrintWriter log) {
        CompletionServer s;
        try {
            s = new CompletionServer(model, manager, options, log);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen on " + options.host() + ":" + options.port() + ": " + e, e);
        }
        s.server.start();
        return s;
    }

    /** The port listened on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL of the API, e.g. {@code http://127.0.0.1:8000/v1}. */
    public URI baseUri() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + "/v1");
    }

    /** Counts so far. */
    public Stats stats() {
        return new Stats(completed.get(), cancelled.get(), busy.get(), active.get());
    }

    /** Stops listening and ends the request threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        try {
            checkAuth(ex);
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/health" -> {
                    requireMethod(ex, "GET");
                    sendJson(ex, 200, java.util.Map.of("status", "ok", "model", name()));
                }
                case "/v1/models" -> {
                    requireMethod(ex, "GET");
                    sendJson(
                            ex,
                            200,
                            new OpenAiSchema.ModelList(
                                    "list",
                                    List.of(
                                            new OpenAiSchema.Model(
                                                    name(), "model", created, "axlearn"))));
                }
                case "/v1/completions" -> {
                    requireMethod(ex, "POST");
                    complete(ex, read(ex, CompletionRequest.class));
                }
                case "/v1/chat/completions" -> {
                    requireMethod(ex, "POST");
                    chat(ex, read(ex, ChatRequest.class));
                }
                default ->
                        throw new ApiException(
                                404,
                                "invalid_request_error",
                                "not_found",
                                null,
                                "no endpoint "
                                        + path
                                        + "; this server has POST /v1/completions, POST"
                                        + " /v1/chat/completions, GET /v1/models and GET /health");
            }
        } catch (ApiException e) {
            sendError(ex, e);
        } catch (ClientGone e) {
            cancelled.incrementAndGet();
        } catch (RuntimeException e) {
            log.println("error: " + ex.getRequestURI().getPath() + ": " + e);
            log.flush();
            sendError(
                    ex,
                    new ApiException(
                            500,
                            "server_error",
                            null,
                            null,
                            "the server failed on this request: " + e.getClass().getSimpleName()));
        } finally {
            ex.close();
        }
    }

    private String name() {
        return options.modelName();
    }

    private void checkAuth(HttpExchange ex) {
        if (apiKey == null) {
            return;
        }
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String why;
        if (header == null) {
            why = "missing Authorization header; send 'Authorization: Bearer <key>'";
        } else if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            why = "the Authorization header must be 'Bearer <key>'";
        } else if (!MessageDigest.isEqual(
                header.substring(7).strip().getBytes(StandardCharsets.UTF_8), apiKey)) {
            why = "incorrect API key";
        } else {
            return;
        }
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        throw new ApiException(401, "authentication_error", "invalid_api_key", null, why);
    }

    private static void requireMethod(HttpExchange ex, String method) {
        if (!ex.getRequestMethod().equals(method)) {
            ex.getResponseHeaders().set("Allow", method);
            throw new ApiException(
                    405,
                    "invalid_request_error",
                    "method_not_allowed",
                    null,
                    ex.getRequestMethod()
                            + " is not allowed on "
                            + ex.getRequestURI().getPath()
                            + "; use "
                            + method);
        }
    }

    /** Reads the JSON body as a {@code type}, within the size limit. */
    private <T> T read(HttpExchange ex, Class<T> type) {
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null
                && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(
                    415,
                    "invalid_request_error",
                    "unsupported_media_type",
                    null,
                    "Content-Type is " + contentType + "; send application/json");
        }
        int max = options.limits().maxRequestBytes();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLength(length) > max) {
            throw tooLarge(length + " bytes");
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(max + 1);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        if (body.length > max) {
            throw tooLarge("more than " + max + " bytes");
        }
        if (body.length == 0) {
            throw ApiException.invalid(null, "the request body is empty; send a JSON object");
        }
        try {
            return OpenAiSchema.json().readValue(body, type);
        } catch (JacksonException e) {
            throw jsonError(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long parseLength(String length) {
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            throw ApiException.invalid(null, "Content-Length is not a number: " + length);
        }
    }

    private ApiException tooLarge(String size) {
        return new ApiException(
                413,
                "invalid_request_error",
                "request_too_large",
                null,
                "the request body is "
                        + size
                        + ", more than this server's limit of "
                        + options.limits().maxRequestBytes()
                        + " bytes");
    }

    /** One line naming what is wrong with the JSON and where. */
    static ApiException jsonError(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String field = fieldPath(u);
            return ApiException.invalid(field, "unknown field '" + field + "'");
        }
        if (e instanceof MismatchedInputException m) {
            String field = fieldPath(m);
            if (field.isEmpty()) {
                return ApiException.invalid(null, "the request body must be a JSON object");
            }
            return ApiException.invalid(
                    field, "field '" + field + "' must be " + expected(m.getTargetType()));
        }
        String where = "";
        if (e.getLocation() != null) {
            where =
                    " at line "
                            + e.getLocation().getLineNr()
                            + ", column "
                            + e.getLocation().getColumnNr();
        }
        String why = e.getOriginalMessage().lines().findFirst().orElse("");
        if (e instanceof JsonMappingException) {
            return ApiException.invalid(null, "bad request body" + where + ": " + why);
        }
        return ApiException.invalid(null, "malformed JSON" + where + ": " + why);
    }

    /**
     * The request field an error is about, as {@code messages[0].role}. A scalar that a field
     * accepting one value as an array wrapped ({@code "prompt": 5}) is named without the index
     * Jackson gives it ({@code prompt}, not {@code prompt[0]}): the request has no array there.
     */
    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        List<JsonMappingException.Reference> refs = e.getPath();
        for (int i = 0; i < refs.size(); i++) {
            JsonMappingException.Reference r = refs.get(i);
            if (r.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(r.getFieldName());
            } else if (r.getIndex() >= 0 && !(i == refs.size() - 1 && wrappedScalar(e))) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** Whether the value that failed was a scalar outside any array of the request. */
    private static boolean wrappedScalar(JsonMappingException e) {
        return e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p
                && !p.getParsingContext().inArray();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        } else if (type == Integer.class || type == Long.class || type == int.class) {
            return "an integer";
        } else if (type == Double.class || type == double.class) {
            return "a number";
        } else if (type == String.class) {
            return "a string";
        } else if (type == Boolean.class) {
            return "true or false";
        } else if (List.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    /** A validated request: what to generate and how. */
    private record Job(
            String prompt,
            TextGenerator.Sampling sampling,
            List<String> stops,
            boolean stream,
            String id) {}

    private Job job(
            GenerationRequest r,
            String prompt,
            int defaultMaxTokens,
            List<String> extraStops,
            String idPrefix) {
        String model = r.model();
        Integer n = r.n();
        Integer maxTokens = r.maxTokens();
        Double temperature = r.temperature();
        Double topP = r.topP();
        if (model != null && !model.equals(name())) {
            throw new ApiException(
                    404,
                    "invalid_request_error",
                    "model_not_found",
                    "model",
                    "model '"
                            + model
                            + "' is not served here; this server serves '"
                            + name()
                            + "'");
        }
        if (n != null && n != 1) {
            throw ApiException.invalid("n", "only n=1 is supported, got " + n);
        }
        int tokens = maxTokens == null ? defaultMaxTokens : maxTokens;
        if (tokens < 1) {
            throw ApiException.invalid(
                    "max_tokens", "max_tokens must be at least 1, got " + tokens);
        }
        if (tokens > options.limits().maxTokens()) {
            throw ApiException.invalid(
                    "max_tokens",
                    "max_tokens is "
                            + tokens
                            + ", more than this server's limit of "
                            + options.limits().maxTokens());
        }
        double t = temperature == null ? 1 : temperature;
        if (!(t >= 0 && t <= MAX_TEMPERATURE)) {
            throw ApiException.invalid(
                    "temperature", "temperature must be in [0, 2], got " + temperature);
        }
        double p = topP == null ? 1 : topP;
        if (!(p > 0 && p <= 1)) {
            throw ApiException.invalid("top_p", "top_p must be in (0, 1], got " + topP);
        }
        List<String> stops = new ArrayList<>(r.stop() == null ? List.of() : r.stop());
        if (stops.size() > MAX_STOPS) {
            throw ApiException.invalid(
                    "stop", "give at most " + MAX_STOPS + " stop strings, got " + stops.size());
        }
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                throw ApiException.invalid("stop", "stop strings must not be empty");
            }
        }
        stops.addAll(extraStops);
        long seed = r.seed() == null ? ThreadLocalRandom.current().nextLong() : r.seed();
        return new Job(
                prompt,
                new TextGenerator.Sampling(tokens, t, 0, p, seed),
                stops,
                Boolean.TRUE.equals(r.stream()),
                idPrefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
    }

    private void complete(HttpExchange ex, CompletionRequest r) {
        if (r.prompt() == null) {
            throw ApiException.invalid("prompt", "missing field 'prompt'");
        }
        if (r.prompt().size() != 1 || r.prompt().get(0) == null) {
            throw ApiException.invalid(
                    "prompt", "give one prompt string, got " + r.prompt().size() + " of them");
        }
        if (r.prompt().get(0).isEmpty()) {
            throw ApiException.invalid("prompt", "the prompt is empty");
        }
        Job job = job(r, r.prompt().get(0), DEFAULT_COMPLETION_TOKENS, List.of(), "cmpl-");
        long now = Instant.now().getEpochSecond();
        try (Slot slot = admit()) {
            respondCompletion(ex, job, now);
        }
    }

    private void respondCompletion(HttpExchange ex, Job job, long now) {
        if (job.stream()) {
            Sse sse = Sse.open(ex);
            Result result =
                    generate(job, piece -> sse.send(completion(job, now, piece, null, null)));
            sse.send(completion(job, now, "", result.finishReason(), null));
            sse.done();
        } else {
            Result result = generate(job, piece -> {});
            sendJson(
                    ex,
                    200,
                    completion(job, now, result.text(), result.finishReason(), result.usage()));
        }
    }

    private Completion completion(
            Job job, long now, String text, String finishReason, Usage usage) {
        return new Completion(
                job.id(),
                "text_completion",
                now,
                name(),
                List.of(new CompletionChoice(text, 0, null, finishReason)),
                usage);
    }

    /** The prompt of a chat (the template in this class's description). */
    static String chatPrompt(List<ChatMessage> messages) {
        StringBuilder prompt = new StringBuilder();
        for (ChatMessage m : messages) {
            prompt.append(m.role()).append(": ").append(m.content()).append('\n');
        }
        return prompt.append("assistant:").toString();
    }

    private void chat(HttpExchange ex, ChatRequest r) {
        if (r.messages() == null || r.messages().isEmpty()) {
            throw ApiException.invalid("messages", "give at least one message in 'messages'");
        }
        for (int i = 0; i < r.messages().size(); i++) {
            ChatMessage m = r.messages().get(i);
            String at = "messages[" + i + "]";
            if (m == null) {
                throw ApiException.invalid(at, at + " must be an object");
            }
            if (m.role() == null || !ROLES.contains(m.role())) {
                throw ApiException.invalid(
                        at + ".role",
                        at + ".role must be one of system, user, assistant; got " + m.role());
            }
            if (m.content() == null) {
                throw ApiException.invalid(at + ".content", at + " has no content");
            }
        }
        Job job =
                job(
                        r,
                        chatPrompt(r.messages()),
                        options.limits().maxTokens(),
                        CHAT_TURN_STOPS,
                        "chatcmpl-");
        long now = Instant.now().getEpochSecond();
        try (Slot slot = admit()) {
            respondChat(ex, job, now);
        }
    }

    private void respondChat(HttpExchange ex, Job job, long now) {
        if (job.stream()) {
            Sse sse = Sse.open(ex);
            sse.send(chatEvent(job, now, new ChatDelta("assistant", ""), null));
            Result result =
                    generate(
                            job,
                            piece ->
                                    sse.send(
                                            chatEvent(job, now, new ChatDelta(null, piece), null)));
            sse.send(chatEvent(job, now, new ChatDelta(null, null), result.finishReason()));
            sse.done();
        } else {
            Result result = generate(job, piece -> {});
            sendJson(
                    ex,
                    200,
                    new ChatCompletion(
                            job.id(),
                            "chat.completion",
                            now,
                            name(),
                            List.of(
                                    new ChatChoice(
                                            0,
                                            new ChatDelta("assistant", result.text()),
                                            null,
                                            result.finishReason())),
                            result.usage()));
        }
    }

    private ChatCompletion chatEvent(Job job, long now, ChatDelta delta, String finishReason) {
        return new ChatCompletion(
                job.id(),
                "chat.completion.chunk",
                now,
                name(),
                List.of(new ChatChoice(0, null, delta, finishReason)),
                null);
    }

    /** What a generation produced. */
    private record Result(String text, String finishReason, Usage usage) {}

    /** Thrown from the text callback to end a generation at a stop string. */
    private static final class StopReached extends RuntimeException {
        StopReached() {
            super(null, null, false, false);
        }
    }

    /** An admitted request's place among the {@link Limits#maxConcurrent} ones; close frees it. */
    private final class Slot implements AutoCloseable {
        Slot() {
            active.incrementAndGet();
        }

        @Override
        public void close() {
            active.decrementAndGet();
            slots.release();
        }
    }

    /** Admits a request if fewer than {@link Limits#maxConcurrent} are in, else answers 429. */
    private Slot admit() {
        if (!slots.tryAcquire()) {
            busy.incrementAndGet();
            throw new ApiException(
                    429,
                    "rate_limit_error",
                    "too_many_requests",
                    null,
                    "the server is busy with "
                            + options.limits().maxConcurrent()
                            + " requests; retry later");
        }
        return new Slot();
    }

    private Result generate(Job job, Consumer<String> sink) {
        TextGenerator generator = model.generator();
        StopStrings stops = new StopStrings(job.stops());
        StringBuilder text = new StringBuilder();
        Consumer<String> emit =
                piece -> {
                    if (!piece.isEmpty()) {
                        text.append(piece);
                        sink.accept(piece);
                    }
                };
        boolean stopped = false;
        generationLock.lock();
        try {
            generator.generate(
                    model.params(),
                    manager,
                    job.prompt(),
                    job.sampling(),
                    piece -> {
                        emit.accept(stops.accept(piece));
                        if (stops.stopped()) {
                            throw new StopReached();
                        }
                    });
            emit.accept(stops.finish());
        } catch (StopReached e) {
            stopped = true;
        } finally {
            generationLock.unlock();
        }
        int promptTokens = generator.countTokens(job.prompt());
        int completionTokens = generator.countTokens(text.toString());
        completed.incrementAndGet();
        String finish =
                !stopped && completionTokens >= job.sampling().maxTokens() ? "length" : "stop";
        return new Result(
                text.toString(),
                finish,
                new Usage(promptTokens, completionTokens, promptTokens + completionTokens));
    }

    private static void sendJson(HttpExchange ex, int status, Object body) {
        byte[] bytes;
        try {
            bytes = OpenAiSchema.json().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON", e);
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    private static void sendError(HttpExchange ex, ApiException e) {
        if (ex.getResponseCode() != -1) {
            return; // headers already sent (a stream): nothing more can be said
        }
        try {
            sendJson(ex, e.status, e.body());
        } catch (ClientGone gone) {
            // the client left before its answer
        }
    }

    /** The client went away (a write or read on its connection failed). */
    private static final class ClientGone extends RuntimeException {
        ClientGone(IOException cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    /** A server-sent event stream on an exchange. */
    private static final class Sse {
        private final OutputStream out;

        private Sse(OutputStream out) {
            this.out = out;
        }

        static Sse open(HttpExchange ex) {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            try {
                ex.sendResponseHeaders(200, 0);
            } catch (IOException e) {
                throw new ClientGone(e);
            }
            return new Sse(ex.getResponseBody());
        }

        void send(Object event) {
            try {
                write("data: " + OpenAiSchema.json().writeValueAsString(event) + "\n\n");
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write an event as JSON", e);
            }
        }

        void done() {
            write("data: [DONE]\n\n");
        }

        private void write(String s) {
            try {
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new ClientGone(e);
            }
        }
    }
}

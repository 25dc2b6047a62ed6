package io.axlearn.trainer.serve;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.axlearn.trainer.serve.OpenAiSchema.ChatCompletion;
import io.axlearn.trainer.serve.OpenAiSchema.ChatRequest;
import io.axlearn.trainer.serve.OpenAiSchema.Completion;
import io.axlearn.trainer.serve.OpenAiSchema.CompletionRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A blocking client of any OpenAI-compatible endpoint (ours, {@link CompletionServer}, or another
 * server's): {@code POST {endpoint}/completions} and {@code /chat/completions} (non-streamed),
 * {@code GET {endpoint}/models}. Thread-safe; one client can serve many threads.
 */
public final class ApiClient {
    /** Leaves out null request fields and ignores answer fields this schema does not know. */
    private static final ObjectMapper JSON =
            OpenAiSchema.json()
                    .copy()
                    .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A call that did not give an answer: one line naming the URL and the HTTP status or cause. */
    public static final class ApiCallException extends RuntimeException {
        private final int status;

        ApiCallException(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** The HTTP status, or 0 if no answer came (e.g. the connection was refused). */
        public int status() {
            return status;
        }
    }

    private final URI endpoint;
    private final String apiKey;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param endpoint the API's base URL, e.g. {@code http://127.0.0.1:8000/v1}
     * @param apiKey sent as {@code Authorization: Bearer <apiKey>}; null sends none
     * @param timeout the longest wait for one answer
     */
    public ApiClient(URI endpoint, String apiKey, Duration timeout) {
        String base = endpoint.toString();
        this.endpoint = URI.create(base.endsWith("/") ? base : base + "/");
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(timeout)
                        .build();
    }

    /** The model ids of {@code GET models}. */
    public List<String> modelIds() {
        URI uri = endpoint.resolve("models");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        OpenAiSchema.ModelList models = send("GET", uri, request, OpenAiSchema.ModelList.class);
        return models.data().stream().map(OpenAiSchema.Model::id).toList();
    }

    /** {@code POST completions}. */
    public Completion complete(CompletionRequest request) {
        return post("completions", request, Completion.class);
    }

    /** {@code POST chat/completions}. */
    public ChatCompletion chat(ChatRequest request) {
        return post("chat/completions", request, ChatCompletion.class);
    }

    private <T> T post(String path, Object body, Class<T> answer) {
        URI uri = endpoint.resolve(path);
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri)
                        .timeout(timeout)
                        .header("Content-Type", "application/json");
        try {
            request.POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the request as JSON", e);
        }
        return send("POST", uri, request, answer);
    }

    private <T> T send(String method, URI uri, HttpRequest.Builder request, Class<T> answer) {
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        String call = method + " " + uri;
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiCallException(0, call + ": no answer (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiCallException(0, call + ": interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new ApiCallException(
                    response.statusCode(),
                    call + ": HTTP " + response.statusCode() + errorMessage(response.body()),
                    null);
        }
        try {
            return JSON.readValue(response.body(), answer);
        } catch (JsonProcessingException e) {
            throw new ApiCallException(
                    200,
                    call
                            + ": the answer is not a "
                            + answer.getSimpleName()
                            + " ("
                            + e.getOriginalMessage()
                            + ")",
                    e);
        }
    }

    /** {@code ": <error.message>"} of an OpenAI-style error body, or empty. */
    private static String errorMessage(String body) {
        try {
            JsonNode message = JSON.readTree(body).path("error").path("message");
            return message.isTextual()
                    ? ": " + message.asText().lines().findFirst().orElse("")
                    : "";
        } catch (IOException e) {
            return "";
        }
    }
}

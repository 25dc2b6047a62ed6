package io.axlearn.trainer.serve;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.List;

/**
 * The request and response bodies of the OpenAI-style API that {@link CompletionServer} serves and
 * {@link ApiClient} calls (field names are snake_case on the wire: {@code maxTokens} is {@code
 * max_tokens}). Only the fields listed here are accepted in a request; any other field is a 400
 * error naming it.
 */
public final class OpenAiSchema {
    private OpenAiSchema() {}

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .withCoercionConfig(
                            LogicalType.Textual,
                            c -> {
                                c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
                                c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
                                c.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
                            })
                    .build();

    /**
     * The mapper of these bodies: snake_case names; strict, so that an unknown or repeated field, a
     * value of the wrong type (no string-to-number or float-to-int coercion) or trailing text is an
     * error.
     */
    public static ObjectMapper json() {
        return JSON;
    }

    /** The fields that say how to generate, common to completion and chat requests. */
    public interface GenerationRequest {
        String model();

        Integer maxTokens();

        Double temperature();

        Double topP();

        Long seed();

        List<String> stop();

        Boolean stream();

        Integer n();
    }

    /**
     * {@code POST /v1/completions}.
     *
     * @param model the model id; if given it must be the served one
     * @param prompt the text to continue: a string, or an array holding one string
     * @param maxTokens the most tokens to generate; default 16
     * @param temperature divides the logits, in [0, 2]; 0 is greedy; default 1
     * @param topP nucleus sampling probability in (0, 1]; default 1
     * @param seed seed of the draws; the same seed gives the same text; default: a fresh one
     * @param stop up to 4 strings; generation ends before the first one that appears (a string or
     *     an array)
     * @param stream whether to answer with server-sent events, one per piece of text
     * @param n the number of choices; only 1 is supported
     * @param user an end-user id, accepted and ignored
     */
    public record CompletionRequest(
            String model,
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> prompt,
            Integer maxTokens,
            Double temperature,
            Double topP,
            Long seed,
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
            Boolean stream,
            Integer n,
            String user)
            implements GenerationRequest {}

    /**
     * {@code POST /v1/chat/completions}; the fields other than {@code messages} are those of {@link
     * CompletionRequest}, except that {@code max_tokens} defaults to the server's limit.
     *
     * @param messages the conversation so far, oldest first (at least one)
     */
    public record ChatRequest(
            String model,
            List<ChatMessage> messages,
            Integer maxTokens,
            Double temperature,
            Double topP,
            Long seed,
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
            Boolean stream,
            Integer n,
            String user)
            implements GenerationRequest {}

    /**
     * One message of a chat.
     *
     * @param role {@code system}, {@code user} or {@code assistant}
     * @param content its text
     * @param name an optional name of the author, accepted and ignored
     */
    public record ChatMessage(String role, String content, String name) {
        /** A message without a name. */
        public ChatMessage(String role, String content) {
            this(role, content, null);
        }
    }

    /**
     * Token counts of one request.
     *
     * @param promptTokens tokens in the prompt (for a chat, in the templated conversation)
     * @param completionTokens tokens generated
     * @param totalTokens their sum
     */
    public record Usage(int promptTokens, int completionTokens, int totalTokens) {}

    /**
     * One choice of a completion, or a piece of it in a stream.
     *
     * @param text the generated text (a piece of it when streamed)
     * @param index always 0
     * @param logprobs always null (not supported)
     * @param finishReason {@code stop} (a stop string or the end-of-text token), {@code length}
     *     ({@code max_tokens} reached), or null in a stream's pieces before the last
     */
    public record CompletionChoice(String text, int index, Object logprobs, String finishReason) {}

    /**
     * The answer of {@code /v1/completions}, or ({@code object} {@code text_completion} too, as
     * OpenAI does) one event of its stream.
     *
     * @param usage token counts; null in stream events
     */
    public record Completion(
            String id,
            String object,
            long created,
            String model,
            List<CompletionChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {}

    /**
     * The message or stream delta of a chat choice; absent fields are left out.
     *
     * @param role {@code assistant}, in an answer and the first event of a stream
     * @param content the generated text, or a piece of it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatDelta(String role, String content) {}

    /**
     * One choice of a chat answer ({@code message}) or of a stream event ({@code delta}).
     *
     * @param finishReason as {@link CompletionChoice#finishReason}
     */
    public record ChatChoice(
            int index,
            @JsonInclude(JsonInclude.Include.NON_NULL) ChatDelta message,
            @JsonInclude(JsonInclude.Include.NON_NULL) ChatDelta delta,
            String finishReason) {}

    /**
     * The answer of {@code /v1/chat/completions} ({@code object} {@code chat.completion}) or one
     * event of its stream ({@code chat.completion.chunk}).
     *
     * @param usage token counts; null in stream events
     */
    public record ChatCompletion(
            String id,
            String object,
            long created,
            String model,
            List<ChatChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {}

    /**
     * One entry of {@code GET /v1/models}.
     *
     * @param created when the served checkpoint was loaded, in seconds since the epoch
     */
    public record Model(String id, String object, long created, String ownedBy) {}

    /** The answer of {@code GET /v1/models}: {@code object} is {@code list}. */
    public record ModelList(String object, List<Model> data) {}

    /**
     * The body of every error answer: {@code {"error": {...}}}.
     *
     * @param error what went wrong
     */
    public record ErrorBody(ErrorDetail error) {}

    /**
     * What went wrong.
     *
     * @param message one line for a person
     * @param type the class of error, e.g. {@code invalid_request_error}
     * @param param the request field at fault, if one is
     * @param code a machine-readable code, e.g. {@code invalid_api_key}
     */
    public record ErrorDetail(String message, String type, String param, String code) {}
}

package io.axlearn.trainer.serve;

/**
 * A request the server refuses, with the HTTP status and the fields of the OpenAI-style error body
 * it answers with ({@link OpenAiSchema.ErrorDetail}).
 */
final class ApiException extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiException(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** A 400 {@code invalid_request_error} about {@code param} (null if none). */
    static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", null, param, message);
    }

    OpenAiSchema.ErrorBody body() {
        return new OpenAiSchema.ErrorBody(
                new OpenAiSchema.ErrorDetail(getMessage(), type, param, code));
    }
}

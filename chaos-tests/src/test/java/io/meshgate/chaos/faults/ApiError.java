package io.meshgate.chaos.faults;

/**
 * A failed API request, answered as Toxiproxy does: {@code {"error": message, "status": status}} with that HTTP status.
 * toxiproxy-java turns that body into an {@code IOException} whose message is {@code "[status] message"}.
 */
final class ApiError extends RuntimeException {
    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiError badRequestBody(String detail) {
        return new ApiError(400, "bad request body: " + detail);
    }

    static ApiError missingField(String field) {
        return new ApiError(400, "missing required field: " + field);
    }

    static ApiError proxyNotFound() {
        return new ApiError(404, "proxy not found");
    }

    static ApiError toxicNotFound() {
        return new ApiError(404, "toxic not found");
    }
}

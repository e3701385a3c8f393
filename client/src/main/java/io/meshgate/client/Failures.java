package io.meshgate.client;

import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Short, readable reasons for failures that end a connection attempt (they go into state events and logs). */
final class Failures {
    private Failures() {
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static String describe(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof WebSocketHandshakeException handshake) {
            return "WebSocket handshake answered HTTP " + handshake.getResponse().statusCode();
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }
}

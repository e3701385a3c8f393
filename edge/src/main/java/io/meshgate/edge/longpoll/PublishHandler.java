package io.meshgate.edge.longpoll;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.auth.Principal;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Json;
import io.meshgate.edge.server.EdgeContext;
import io.meshgate.edge.session.PublishCommand;
import io.meshgate.edge.session.RetryTimes;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /v1/publish}: the same publish as a WebSocket {@code pub}, answered with the {@code ack} (200) or
 * the {@code nack} (4xx/503). The body is read without blocking and refused past the frame limit.
 */
public final class PublishHandler implements HttpHandler {
    /** Oversize bodies up to this many times the limit are read and dropped, so their 413 reaches the client. */
    private static final long DRAIN_FACTOR = 4;

    private final EdgeContext ctx;

    public PublishHandler(EdgeContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        Principal principal = HttpReplies.authenticate(exchange, Methods.POST, ctx.tokens());
        if (principal == null) {
            return;
        }
        long limit = ctx.settings().limits().maxFrameBytes();
        // An oversize body is answered 413 only after it was read to its end and dropped, up to DRAIN_FACTOR times
        // the limit: a client still sending when the connection closes would lose the answer to a TCP reset. Past
        // that, the answer goes out and the connection is closed.
        long drainMax = DRAIN_FACTOR * limit;
        long declared = exchange.getRequestContentLength();
        if (declared > limit) {
            tooLarge(exchange, limit, declared > drainMax); // Undertow drains a declared length as the exchange ends
            return;
        }
        // Without a declared length (chunked) the bytes are counted here, below Undertow's entity limit (see
        // maxEntityBytes), which would drop the connection without any answer.
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long[] total = {0};
        exchange.getRequestReceiver().receivePartialBytes(
                (ex, chunk, last) -> {
                    if (ex.isResponseStarted()) {
                        return;
                    }
                    total[0] += chunk.length;
                    if (total[0] <= limit) {
                        received.write(chunk, 0, chunk.length);
                        if (last) {
                            onBody(ex, principal, received.toByteArray());
                        }
                        return;
                    }
                    received.reset();
                    if (last || total[0] > drainMax) {
                        ex.getRequestReceiver().pause();
                        tooLarge(ex, limit, !last);
                    }
                },
                (ex, error) -> {
                    if (!ex.isResponseStarted()) {
                        ex.setPersistent(false);
                        HttpReplies.error(ex, ErrorCode.BAD_REQUEST, "the request body could not be read");
                    }
                });
    }

    /**
     * The server-wide entity limit for Undertow: above what this handler reads and drains itself, so the handler,
     * not Undertow, decides and answers.
     */
    public static long maxEntityBytes(long frameLimit) {
        return (DRAIN_FACTOR + 1) * frameLimit;
    }

    private static void tooLarge(HttpServerExchange exchange, long limit, boolean close) {
        if (close) {
            exchange.setPersistent(false);
        }
        HttpReplies.error(exchange, ErrorCode.TOO_LARGE, "body larger than " + limit + " bytes");
    }

    private void onBody(HttpServerExchange exchange, Principal principal, byte[] body) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            HttpReplies.error(exchange, ErrorCode.BAD_REQUEST, "body is not valid JSON");
            return;
        }
        if (json == null || !json.isObject()) {
            HttpReplies.error(exchange, ErrorCode.BAD_REQUEST, "body must be a JSON object {ch, id, data}");
            return;
        }
        PublishCommand command;
        try {
            command = PublishCommand.parse(json, ctx.settings().limits());
        } catch (PublishCommand.PublishRejected e) {
            var reply = ctx.publishes().nack(e.id(), e.channel(), e.code(), e.reason());
            HttpReplies.json(exchange, reply.httpStatus(), reply.frame());
            return;
        }
        long retryMs = ctx.clientLimits().tryAcquireOrRetryMs(principal);
        if (retryMs > 0) {
            var reply = ctx.publishes().nack(command.id(), command.channel(), ErrorCode.RATE_LIMITED,
                    "more than " + ctx.settings().clientPublishesPerSecond() + " publishes per second for this client");
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, RetryTimes.retryAfterSeconds(retryMs));
            HttpReplies.json(exchange, reply.httpStatus(), RetryTimes.withRetryMs(reply.frame(), retryMs));
            return;
        }
        exchange.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () ->
                ctx.publishes().publish(principal, command).thenAccept(reply -> exchange.getIoThread().execute(
                        () -> HttpReplies.json(exchange, reply.httpStatus(), reply.frame()))));
    }
}

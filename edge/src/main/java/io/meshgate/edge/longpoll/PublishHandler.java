package io.meshgate.edge.longpoll;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.auth.Principal;
import io.meshgate.edge.auth.TokenRejectedException;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Json;
import io.meshgate.edge.server.EdgeContext;
import io.meshgate.edge.session.PublishCommand;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.nio.charset.StandardCharsets;

/**
 * {@code POST /v1/publish}: the same publish as a WebSocket {@code pub}, answered with the {@code ack} (200) or
 * the {@code nack} (4xx/503). The body is read without blocking and refused past the frame limit.
 */
public final class PublishHandler implements HttpHandler {
    private final EdgeContext ctx;
    private final SubjectRateLimiters limiters;

    public PublishHandler(EdgeContext ctx) {
        this.ctx = ctx;
        this.limiters = new SubjectRateLimiters(ctx.settings().publishesPerSecond(), 10_000);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use POST for /v1/publish");
            return;
        }
        Principal principal;
        try {
            principal = ctx.tokens().verify(HttpReplies.bearerToken(exchange));
        } catch (TokenRejectedException e) {
            HttpReplies.error(exchange, ErrorCode.UNAUTHORIZED, e.reason());
            return;
        }
        long limit = ctx.settings().limits().maxFrameBytes();
        if (exchange.getRequestContentLength() > limit) {
            HttpReplies.error(exchange, ErrorCode.TOO_LARGE, "body larger than " + limit + " bytes");
            return;
        }
        exchange.setMaxEntitySize(limit);
        exchange.getRequestReceiver().receiveFullBytes(
                (ex, body) -> onBody(ex, principal, body),
                (ex, error) -> {
                    if (!ex.isResponseStarted()) {
                        HttpReplies.error(ex, ErrorCode.TOO_LARGE, "body larger than " + limit + " bytes");
                    }
                });
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
        if (!limiters.tryAcquire(principal.subject())) {
            var reply = ctx.publishes().nack(command.id(), command.channel(), ErrorCode.RATE_LIMITED,
                    "more than " + ctx.settings().publishesPerSecond() + " publishes per second for this client");
            HttpReplies.json(exchange, reply.httpStatus(), reply.frame());
            return;
        }
        exchange.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () ->
                ctx.publishes().publish(principal, command).thenAccept(reply -> exchange.getIoThread().execute(
                        () -> HttpReplies.json(exchange, reply.httpStatus(), reply.frame()))));
    }
}

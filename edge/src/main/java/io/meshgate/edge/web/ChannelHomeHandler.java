package io.meshgate.edge.web;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Json;
import io.meshgate.relay.channel.ChannelNames;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.function.UnaryOperator;

/**
 * {@code GET /demo/home?ch=CHANNEL} → {@code {"ch":CHANNEL,"home":REGION}}: the region that sequences the channel now,
 * as this edge's region sees the mesh. For the demo page, which shows each message's channel home; not part of
 * protocol v1 (clients never need it). Answered on the I/O thread: computing a home is a hash over the live regions.
 */
public final class ChannelHomeHandler implements HttpHandler {
    private final UnaryOperator<String> homeOf;

    /** @param homeOf a channel's current home region (this region when the node runs no mesh) */
    public ChannelHomeHandler(UnaryOperator<String> homeOf) {
        this.homeOf = homeOf;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use GET for /demo/home");
            return;
        }
        Deque<String> ch = exchange.getQueryParameters().get("ch");
        String channel = ch == null || ch.size() != 1 ? null : decoded(ch.getFirst());
        if (channel == null || !ChannelNames.isValid(channel)) {
            HttpReplies.error(exchange, ErrorCode.BAD_CHANNEL, "give one ch=CHANNEL matching ^[A-Za-z0-9_.:\\-]{1,128}$");
            return;
        }
        HttpReplies.json(exchange, 200, Json.MAPPER.createObjectNode().put("ch", channel)
                .put("home", homeOf.apply(channel)).toString());
    }

    /** The server leaves query values encoded (as for /v1/poll); a malformed escape is no channel. */
    private static String decoded(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

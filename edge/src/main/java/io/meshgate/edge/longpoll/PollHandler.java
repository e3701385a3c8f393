package io.meshgate.edge.longpoll;

import io.meshgate.edge.auth.Principal;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.server.EdgeContext;
import io.meshgate.edge.session.ProtocolException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;

/** {@code GET /v1/poll}: checks the request on the I/O thread, then parks it as a {@link PollRequest}. */
public final class PollHandler implements HttpHandler {
    private final EdgeContext ctx;

    public PollHandler(EdgeContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        Principal principal = HttpReplies.authenticate(exchange, Methods.GET, ctx.tokens());
        if (principal == null) {
            return;
        }
        PollQuery query;
        try {
            query = PollQuery.parse(exchange.getQueryParameters(), ctx.settings().pollDefaultWaitS(),
                    ctx.settings().pollMaxWaitS(), ctx.settings().pollMaxChannels());
        } catch (ProtocolException e) {
            HttpReplies.error(exchange, e.code(), e.reason());
            return;
        }
        for (PollQuery.Entry entry : query.channels()) {
            if (!principal.canSubscribe(entry.channel())) {
                HttpReplies.error(exchange, ErrorCode.FORBIDDEN,
                        "the token does not allow subscribing to " + entry.channel());
                return;
            }
        }
        PollRequest request = new PollRequest(ctx, exchange, query);
        exchange.dispatch(SameThreadExecutor.INSTANCE, request::start);
    }
}

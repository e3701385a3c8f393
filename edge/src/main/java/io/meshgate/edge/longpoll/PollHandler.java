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

import java.util.concurrent.atomic.AtomicInteger;

/** {@code GET /v1/poll}: checks the request on the I/O thread, then parks it as a {@link PollRequest}. */
public final class PollHandler implements HttpHandler {
    private final EdgeContext ctx;
    /** Polls between acceptance and their answer, bounded so parked exchanges cannot grow memory without limit. */
    private final AtomicInteger inFlight = new AtomicInteger();

    public PollHandler(EdgeContext ctx) {
        this.ctx = ctx;
        ctx.meters().gauge("meshgate.poll.inflight", inFlight);
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
        if (inFlight.incrementAndGet() > ctx.settings().pollMaxInFlight()) {
            inFlight.decrementAndGet();
            HttpReplies.error(exchange, ErrorCode.UNAVAILABLE, "this node holds " + ctx.settings().pollMaxInFlight()
                    + " polls already; poll again (another node may answer)");
            return;
        }
        exchange.addExchangeCompleteListener((ex, next) -> {
            inFlight.decrementAndGet();
            next.proceed();
        });
        PollRequest request = new PollRequest(ctx, exchange, query);
        exchange.dispatch(SameThreadExecutor.INSTANCE, request::start);
    }
}

package io.meshgate.edge.longpoll;

import io.meshgate.edge.auth.Principal;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.server.EdgeContext;
import io.meshgate.edge.session.ClientPollShares;
import io.meshgate.edge.session.ProtocolException;
import io.meshgate.edge.session.RetryTimes;
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
    /** Each client's share of {@link #inFlight}: one token cannot hold every slot. */
    private final ClientPollShares shares;
    /** A held poll ends within its wait; a second is a fair time to come back. */
    private static final long SHARE_RETRY_MS = 1_000;

    public PollHandler(EdgeContext ctx) {
        this.ctx = ctx;
        this.shares = new ClientPollShares(ctx.settings().guards().pollMaxInFlightPerClient());
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
        if (!shares.tryAcquire(principal)) {
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER,
                    RetryTimes.retryAfterSeconds(SHARE_RETRY_MS));
            HttpReplies.json(exchange, ErrorCode.RATE_LIMITED.httpStatus(), RetryTimes.withRetryMs(
                    io.meshgate.edge.protocol.Frames.error(ErrorCode.RATE_LIMITED, "this client has "
                            + shares.maxPerClient() + " polls held at this node already"), SHARE_RETRY_MS));
            return;
        }
        exchange.addExchangeCompleteListener((ex, next) -> {
            shares.release(principal);
            next.proceed();
        });
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

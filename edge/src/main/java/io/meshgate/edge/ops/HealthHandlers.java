package io.meshgate.edge.ops;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;

/** {@code /healthz}, {@code /readyz} and {@code /metrics}. */
public final class HealthHandlers {
    private HealthHandlers() {
    }

    /** 200 while the process serves HTTP at all. */
    public static HttpHandler health() {
        return exchange -> HttpReplies.json(exchange, 200, "{\"status\":\"up\"}");
    }

    /** 200 when ready for traffic, 503 with the reason otherwise. */
    public static HttpHandler ready(Readiness readiness) {
        return exchange -> {
            String reason = readiness.notReadyReason();
            if (reason == null) {
                HttpReplies.json(exchange, 200, "{\"ready\":true}");
            } else {
                HttpReplies.json(exchange, 503, "{\"ready\":false,\"reason\":" + Json.quote(reason) + "}");
            }
        };
    }

    /**
     * Prometheus text exposition format, for callers {@link AdminAccess#admitReader} lets in. Scraping walks every
     * meter, so it runs on a worker thread.
     */
    public static HttpHandler metrics(PrometheusMeterRegistry registry, AdminAccess access) {
        return exchange -> {
            if (exchange.isInIoThread() && access.admitReader(exchange)) {
                exchange.dispatch(() -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    exchange.getResponseSender().send(registry.scrape());
                });
            }
        };
    }
}

package io.meshgate.edge.ops;

import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admin calls refuse what a browser sends for a web page (issue 11, attack 6): a foreign {@code Origin}, a
 * cross-site fetch, a {@code Host} that is not the node's (DNS rebinding); and metrics and admin can live on their
 * own port.
 */
class AdminGuardTest {

    @Test
    void aDrainFromAWebPageOrARebindingDomainIsRefusedAndTheNodeKeepsServing() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(AdminAccess.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            Http http = new Http(region.httpUrl(0));
            int port = URI.create(region.httpUrl(0)).getPort();

            Http.Reply fromPage = http.raw("POST /admin/drain HTTP/1.1", "Origin: http://evil.example",
                    "Content-Length: 0");
            assertEquals(403, fromPage.status(), fromPage.toString());
            assertEquals("forbidden", fromPage.json().path("code").asText());
            Http.Reply crossSite = http.raw("POST /admin/drain HTTP/1.1", "Sec-Fetch-Site: cross-site",
                    "Content-Length: 0");
            assertEquals(403, crossSite.status(), crossSite.toString());
            Http.Reply rebound = http.rawWithHost("POST /admin/drain HTTP/1.1", "evil.example:" + port,
                    "Content-Length: 0");
            assertEquals(403, rebound.status(), rebound.toString());
            assertTrue(rebound.body().contains("Host"), rebound.body());
            assertEquals(200, http.get("/readyz", null).status(), "not drained");

            Http.Reply operator = http.raw("POST /admin/drain HTTP/1.1", "Content-Length: 0");
            assertEquals(202, operator.status(), "control: the operator's own call drains: " + operator);
            assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("/admin/drain")
                    && e.getFormattedMessage().contains("refused") && e.getFormattedMessage().contains("Origin")),
                    "a refused admin call is logged, with the caller and why: " + logged.list);
        } finally {
            log.detachAppender(logged);
        }
    }

    @Test
    void metricsAndAdminCanLiveOnTheirOwnPort() {
        try (TestRegion region = TestRegion.nodes(1).insecure()
                .edge(s -> s.withGuards(g -> g.withAdminPort("127.0.0.1", 0))).start()) {
            Http edge = new Http(region.httpUrl(0));
            Http admin = new Http("http://127.0.0.1:" + region.node(0).adminPort());

            assertEquals(404, edge.get("/metrics", null).status());
            assertEquals(404, edge.raw("POST /admin/drain HTTP/1.1", "Content-Length: 0").status());
            Http.Reply metrics = admin.get("/metrics", null);
            assertEquals(200, metrics.status());
            assertTrue(metrics.body().contains("meshgate"), "Prometheus text");
            assertEquals(200, admin.get("/readyz", null).status());

            // A web page's fetch (DNS rebinding, or any local page) may not read the node's metrics either.
            Http.Reply fromPage = admin.raw("GET /metrics HTTP/1.1", "Origin: https://evil.example");
            assertEquals(403, fromPage.status(), fromPage.toString());
            Http.Reply rebound = admin.rawWithHost("GET /metrics HTTP/1.1", "evil.example:" + region.node(0).adminPort());
            assertEquals(403, rebound.status(), rebound.toString());
            assertEquals("forbidden", rebound.json().path("code").asText(), rebound.body());
        }
    }

    @Test
    void metricsServeLoopbackAndTokenScrapersButNeverABrowser() {
        try (TestRegion region = TestRegion.nodes(1).insecure()
                .edge(s -> s.withAdminToken("adm1n-t0ken").withGuards(g -> g.withAdminPort("127.0.0.1", 0)))
                .start()) {
            Http admin = new Http("http://127.0.0.1:" + region.node(0).adminPort());
            // Loopback callers read metrics as they read the status page: the operator on the node, or a tunnel.
            assertEquals(200, admin.get("/metrics", null).status());
            assertEquals(200, admin.raw("GET /metrics HTTP/1.1", "Authorization: Bearer adm1n-t0ken").status());
            Http.Reply wrong = admin.raw("GET /metrics HTTP/1.1", "Authorization: Bearer wrong",
                    "Origin: https://evil.example");
            assertEquals(403, wrong.status(), wrong.toString());
        }
    }
}

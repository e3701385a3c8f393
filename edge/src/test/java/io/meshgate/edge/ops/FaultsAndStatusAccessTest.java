package io.meshgate.edge.ops;

import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /admin/faults} refuses every change unless {@code admin.faults} is on, with a message naming the key;
 * {@code /status} is served to operators (admin token or loopback) and not to foreign pages.
 */
class FaultsAndStatusAccessTest {

    @Test
    void faultInjectionIsRefusedWhenAdminFaultsIsOff() {
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            Http http = new Http(region.httpUrl(0));
            Http.Reply refused = http.post("/admin/faults?peer=eu-west&latencyMs=100", null, "");
            assertEquals(403, refused.status(), refused.toString());
            assertTrue(refused.json().path("reason").asText().contains("admin.faults: true"), refused.body());
            Http.Reply list = http.get("/admin/faults", null);
            assertEquals(404, list.status(), "a node without a mesh has no links to fault: " + list);
            assertEquals(200, http.get("/readyz", null).status(), "nothing else changed");
        }
    }

    @Test
    void theStatusStreamPushesPicturesAndBoundsItsSubscribers() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            int port = URI.create(region.httpUrl(0)).getPort();
            java.util.List<java.net.Socket> open = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    open.add(stream(port));
                    assertEquals("HTTP/1.1 200 OK", statusLine(open.get(i)), "stream " + (i + 1));
                }
                java.io.BufferedReader first = new java.io.BufferedReader(new java.io.InputStreamReader(
                        open.get(0).getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
                String line;
                int pictures = 0;
                while (pictures < 2 && (line = first.readLine()) != null) {
                    if (line.startsWith("data:") && line.contains("\"region\":\"test-region\"")) {
                        pictures++;
                    }
                }
                assertEquals(2, pictures, "the stream keeps pushing the picture");
                try (java.net.Socket over = stream(port)) {
                    assertEquals("HTTP/1.1 503 Service Unavailable", statusLine(over), "the 17th is refused");
                }
                open.remove(0).close();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                    try (java.net.Socket again = stream(port)) {
                        return statusLine(again).equals("HTTP/1.1 200 OK");
                    }
                });
            } finally {
                for (java.net.Socket socket : open) {
                    socket.close();
                }
            }
        }
    }

    private static java.net.Socket stream(int port) throws java.io.IOException {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /status/events HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return socket;
    }

    /** The response's status line, read byte by byte so the rest stays in the socket. */
    private static String statusLine(java.net.Socket socket) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = socket.getInputStream().read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Test
    void theStatusPageAnswersOperatorsAndRefusesForeignPages() {
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            Http http = new Http(region.httpUrl(0));
            int port = URI.create(region.httpUrl(0)).getPort();
            Http.Reply page = http.get("/status", null);
            assertEquals(200, page.status(), page.toString());
            assertTrue(page.body().contains("/status/status.js"), page.body());
            Http.Reply data = http.get("/status/data", null);
            assertEquals(200, data.status(), data.toString());
            Http.Reply crossSite = http.raw("GET /status/data HTTP/1.1", "Sec-Fetch-Site: cross-site");
            assertEquals(403, crossSite.status(), crossSite.toString());
            Http.Reply foreign = http.raw("GET /status/data HTTP/1.1", "Origin: http://evil.example");
            assertEquals(403, foreign.status(), foreign.toString());
            Http.Reply rebound = http.rawWithHost("GET /status/data HTTP/1.1", "evil.example:" + port);
            assertEquals(403, rebound.status(), rebound.toString());
        }
    }
}

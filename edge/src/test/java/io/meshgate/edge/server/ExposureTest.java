package io.meshgate.edge.server;

import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge port against clients that hold sockets without using them (issue 11, attack 4), over real sockets: a
 * half-sent request is closed at the parse timeout, and one address gets at most its connection cap (503 over HTTP,
 * close 1013 for a WebSocket), silent sockets included.
 */
class ExposureTest {

    @Test
    void aSlowlorisSocketIsClosedAtTheParseTimeout() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).insecure()
                .edge(s -> s.withGuards(g -> g.withRequestParseTimeoutMs(1_000))).start();
             Socket slow = new Socket()) {
            URI base = URI.create(region.httpUrl(0));
            slow.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            slow.setSoTimeout(20_000);
            OutputStream out = slow.getOutputStream();
            out.write("GET /v1/ping HT".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();

            assertClosedByServer(slow.getInputStream());
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(waitedMs < 15_000, "closed after " + waitedMs + " ms, long before the 20 s read timeout");
            assertEquals(204, new Http(region.httpUrl(0)).get("/v1/ping", null).status(), "the node still serves");
        }
    }

    @Test
    void oneAddressGetsAtMostItsConnectionCap() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).insecure()
                .edge(s -> s.withGuards(g -> g.withMaxConnectionsPerAddress(3))).start()) {
            List<WsClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(WsClient.connect(region.wsUrl(0), null));
                }
                Http.Reply refused = new Http(region.httpUrl(0)).raw("GET /v1/regions HTTP/1.1");
                assertEquals(503, refused.status(), refused.toString());
                assertEquals("unavailable", refused.json().path("code").asText(), refused.body());

                WsClient overCap = WsClient.open(region.wsUrl(0));
                assertEquals(1013, overCap.closeCode().get(10, TimeUnit.SECONDS));

                held.remove(0).close();
                // The slot frees when the server sees the socket close, a moment after the close handshake.
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    Http.Reply reply = new Http(region.httpUrl(0)).raw("GET /v1/regions HTTP/1.1");
                    return reply.status() == 200;
                });
            } finally {
                held.forEach(WsClient::close);
            }
        }
    }

    /**
     * A socket that connects and sends nothing holds a file descriptor like any other: it counts toward its address's
     * cap from the moment it is accepted, the few over the cap that still get an answer go at the parse timeout, and
     * the rest are closed at once.
     */
    @Test
    void silentSocketsCountTowardTheCapAndTheExcessIsClosed() throws Exception {
        int cap = 3;
        try (TestRegion region = TestRegion.nodes(1).insecure()
                .edge(s -> s.withGuards(g -> g.withMaxConnectionsPerAddress(cap).withRequestParseTimeoutMs(1_000)))
                .start()) {
            URI base = URI.create(region.httpUrl(0));
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < cap; i++) {
                    silent.add(silentSocket(base));
                }
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        new Http(region.httpUrl(0)).raw("GET /v1/regions HTTP/1.1").status() == 503);

                int extra = 12;
                for (int i = 0; i < extra; i++) {
                    silent.add(silentSocket(base));
                }
                // The first `cap` stay (until the idle timeout); every one over the cap is gone within the parse
                // timeout: the few that would have been answered at their first request, and the rest at once.
                await().atMost(Duration.ofSeconds(20)).until(() -> silent.subList(cap, silent.size()).stream()
                        .allMatch(ExposureTest::closedByServer));
                assertTrue(silent.subList(0, cap).stream().noneMatch(ExposureTest::closedByServer),
                        "sockets under the cap are kept");

                for (int i = 0; i < cap; i++) {
                    silent.get(i).close();
                }
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        new Http(region.httpUrl(0)).raw("GET /v1/regions HTTP/1.1").status() == 200);
            } finally {
                for (Socket socket : silent) {
                    socket.close();
                }
            }
        }
    }

    private static Socket silentSocket(URI base) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
        socket.setSoTimeout(50);
        return socket;
    }

    /** True when the server closed (or reset) {@code socket}; a read that times out means it is still open. */
    private static boolean closedByServer(Socket socket) {
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void anEdgeBeyondLoopbackRefusesToStartWithoutAdminTokenAndAdminPort() {
        EdgeSettings open = EdgeSettings.defaults("r", "n", "10.0.0.7", 0);
        IllegalStateException noToken = assertThrows(IllegalStateException.class,
                () -> EdgeServer.checkExposure(open, "0.0.0.0"));
        assertTrue(noToken.getMessage().contains("admin.token"), noToken.getMessage());

        IllegalStateException noPort = assertThrows(IllegalStateException.class,
                () -> EdgeServer.checkExposure(open.withAdminToken("t0ken"), "10.0.0.7"));
        assertTrue(noPort.getMessage().contains("adminPort"), noPort.getMessage());

        EdgeServer.checkExposure(open.withAdminToken("t0ken").withGuards(g -> g.withAdminPort("127.0.0.1", 9999)),
                "10.0.0.7");
        EdgeServer.checkExposure(open, "127.0.0.1");
    }

    private static void assertClosedByServer(InputStream in) throws IOException {
        try {
            int read;
            do {
                read = in.read(); // Undertow may answer 408 first; the socket must end either way
            } while (read != -1);
        } catch (SocketException reset) {
            // a reset is a close too
        }
    }
}

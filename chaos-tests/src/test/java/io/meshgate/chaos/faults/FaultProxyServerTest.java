package io.meshgate.chaos.faults;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FaultProxyServer} driven only through toxiproxy-java, as the chaos tests drive it, in front of a real TCP
 * echo server on 127.0.0.1. Time is asserted only as a lower bound (a fault must delay at least so much), never as
 * an upper bound, so a slow machine cannot fail these tests.
 */
class FaultProxyServerTest {
    private EchoServer echo;
    private FaultProxyServer server;
    private ToxiproxyClient client;
    private final List<AutoCloseable> connections = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        echo = EchoServer.start();
        server = FaultProxyServer.start();
        client = server.client();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable connection : connections) {
            connection.close();
        }
        server.close();
        echo.close();
    }

    private Proxy proxy(String name) throws IOException {
        return client.createProxy(name, "127.0.0.1:0", "127.0.0.1:" + echo.port());
    }

    private TcpClient connect(Proxy proxy) throws IOException {
        TcpClient connection = TcpClient.connect("127.0.0.1", port(proxy));
        connections.add(connection);
        return connection;
    }

    private static int port(Proxy proxy) {
        String listen = proxy.getListen();
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    @Test
    void dataPassesThroughAProxyOnTheRealPortItReports() throws IOException {
        Proxy proxy = proxy("plain");

        assertNotEquals(0, port(proxy));
        assertTrue(proxy.isEnabled());
        assertEquals("127.0.0.1:" + echo.port(), proxy.getUpstream());
        TcpClient connection = connect(proxy);
        connection.send("hello through the proxy");
        assertEquals("hello through the proxy", connection.readText(23));

        assertEquals(List.of("plain"), client.getProxies().stream().map(Proxy::getName).toList());
        assertEquals(proxy.getListen(), client.getProxy("plain").getListen());
        assertTrue(client.version().contains(ToxiproxyApiHandler.VERSION));
    }

    @Test
    void latencyDelaysEveryMessageByAtLeastTheLatencyAndKeepsTheirOrder() throws IOException {
        Proxy proxy = proxy("slow");
        Latency latency = proxy.toxics().latency("slow-down", ToxicDirection.DOWNSTREAM, 300).setJitter(50);
        assertEquals(300, latency.getLatency());
        assertEquals(50, latency.getJitter());
        TcpClient connection = connect(proxy);

        long sent = System.nanoTime();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String message = String.format("m%03d;", i);
            connection.send(message);
            expected.append(message);
        }
        String first = connection.readText(5);
        long firstDelayMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        String rest = connection.readText(expected.length() - 5);

        assertTrue(firstDelayMs >= 300 - 50, "delayed only " + firstDelayMs + " ms");
        assertEquals(expected.toString(), first + rest);
    }

    @Test
    void latencyUpstreamDelaysTheRequestToo() throws IOException {
        Proxy proxy = proxy("slow-up");
        proxy.toxics().latency("slow-up", ToxicDirection.UPSTREAM, 200);
        TcpClient connection = connect(proxy);

        long sent = System.nanoTime();
        connection.send("ping");
        assertEquals("ping", connection.readText(4));
        assertTrue(System.nanoTime() - sent >= TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void disablingCutsOpenConnectionsAndRefusesNewOnesUntilEnabled() throws IOException {
        Proxy proxy = proxy("cut");
        int port = port(proxy);
        TcpClient open = connect(proxy);
        open.send("before");
        assertEquals("before", open.readText(6));

        proxy.disable();

        assertFalse(proxy.isEnabled());
        assertEquals(0, open.readToEnd().length, "the open connection is closed");
        assertThrows(ConnectException.class, () -> TcpClient.connect("127.0.0.1", port));

        proxy.enable();

        assertTrue(proxy.isEnabled());
        assertEquals(port, port(proxy), "listens again on the same port");
        TcpClient again = connect(proxy);
        again.send("after");
        assertEquals("after", again.readText(5));
    }

    @Test
    void aTimeoutToxicOfZeroStopsDataUntilItIsRemoved() throws IOException {
        Proxy proxy = proxy("stalled");
        TcpClient connection = connect(proxy);
        proxy.toxics().timeout("stall", ToxicDirection.UPSTREAM, 0);

        connection.send("lost");
        assertTrue(connection.silentFor(300), "nothing passes while the timeout toxic is present");

        proxy.toxics().get("stall").remove();

        assertEquals(List.of(), proxy.toxics().getAll());
        connection.send("back");
        assertEquals("back", connection.readText(4), "data sent under the toxic is dropped, as Toxiproxy does");
    }

    @Test
    void aTimeoutToxicWithATimeClosesTheConnectionAfterIt() throws IOException {
        Proxy proxy = proxy("timeout");
        proxy.toxics().timeout("close-after", ToxicDirection.DOWNSTREAM, 200);

        long connecting = System.nanoTime(); // the timer starts when the proxy has set the connection up, after this
        TcpClient connection = connect(proxy);
        connection.send("dropped");

        assertEquals(0, connection.readToEnd().length, "closed, and the echo was dropped");
        assertTrue(System.nanoTime() - connecting >= TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void resetPeerResetsTheConnectionOnData() throws IOException {
        Proxy proxy = proxy("reset");
        proxy.toxics().resetPeer("rst", ToxicDirection.UPSTREAM, 0);
        TcpClient connection = connect(proxy);

        connection.send("trigger");

        SocketException reset = assertThrows(SocketException.class, connection::readToEnd);
        assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
    }

    @Test
    void bandwidthLimitsTheRate() throws IOException {
        Proxy proxy = proxy("narrow");
        proxy.toxics().bandwidth("narrow", ToxicDirection.DOWNSTREAM, 10); // 10 KB/s, sent 1,000 bytes per 100 ms
        TcpClient connection = connect(proxy);
        byte[] payload = new byte[5_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }

        long sent = System.nanoTime();
        connection.send(payload);
        assertArrayEquals(payload, connection.read(payload.length));

        // The first 1,000 bytes go at once, each further 1,000 after another 100 ms.
        assertTrue(System.nanoTime() - sent >= TimeUnit.MILLISECONDS.toNanos(400));
    }

    @Test
    void limitDataClosesTheConnectionAfterThatManyBytes() throws IOException {
        Proxy proxy = proxy("limited");
        proxy.toxics().limitData("ten", ToxicDirection.DOWNSTREAM, 10);
        TcpClient connection = connect(proxy);

        connection.send("0123456789abcdefghij");

        assertEquals("0123456789", new String(connection.readToEnd(), StandardCharsets.UTF_8));
    }

    @Test
    void toxicsCanBeUpdatedListedAndReset() throws IOException {
        Proxy proxy = proxy("managed");
        proxy.toxics().latency("lag", ToxicDirection.UPSTREAM, 100);
        proxy.toxics().get("lag", Latency.class).setLatency(150);
        proxy.disable();

        Latency lag = proxy.toxics().get("lag", Latency.class);
        assertEquals(150, lag.getLatency());
        assertEquals(ToxicDirection.UPSTREAM, lag.getStream());
        assertEquals(1.0f, lag.getToxicity());

        client.reset();

        assertTrue(client.getProxy("managed").isEnabled());
        assertEquals(List.of(), proxy.toxics().getAll());
        TcpClient connection = connect(proxy);
        connection.send("fresh");
        assertEquals("fresh", connection.readText(5));
    }

    @Test
    void deletingAProxyStopsItsListener() throws IOException {
        Proxy proxy = proxy("gone");
        int port = port(proxy);

        proxy.delete();

        assertNull(client.getProxyOrNull("gone"));
        assertThrows(ConnectException.class, () -> TcpClient.connect("127.0.0.1", port));
    }

    @Test
    void badRequestsGetToxiproxyErrors() throws Exception {
        proxy("taken");

        assertEquals("[404] proxy not found", assertThrows(IOException.class, () -> client.getProxy("missing")).getMessage());
        assertEquals("[409] proxy already exists", assertThrows(IOException.class, () -> proxy("taken")).getMessage());
        Proxy taken = client.getProxy("taken");
        taken.toxics().latency("lag", ToxicDirection.DOWNSTREAM, 10);
        assertEquals("[409] toxic already exists",
                assertThrows(IOException.class, () -> taken.toxics().latency("lag", ToxicDirection.DOWNSTREAM, 10)).getMessage());
        assertEquals("[404] toxic not found", assertThrows(IOException.class, () -> taken.toxics().get("missing")).getMessage());
        String unsupported = assertThrows(IOException.class, () -> taken.toxics().slicer("cut", ToxicDirection.DOWNSTREAM, 10, 1)).getMessage();
        assertTrue(unsupported.startsWith("[400] invalid toxic type"), unsupported);

        // toxiproxy-java cannot send malformed JSON, so this one request is raw HTTP.
        HttpResponse<String> badJson = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/proxies"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": ")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badJson.statusCode());
        assertTrue(badJson.body().matches("\\{\"error\":\"bad request body: .*\",\"status\":400}"), badJson.body());
    }

    @Test
    void closeStopsTheApiAndEveryProxyAndAllItsThreadsAreDaemons() throws IOException {
        Proxy proxy = proxy("closing");
        TcpClient open = connect(proxy);
        open.send("x");
        assertEquals("x", open.readText(1));
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("fault-proxy") || thread.getName().equals("HTTP-Dispatcher"))
                .allMatch(Thread::isDaemon));

        server.close();

        assertEquals(0, open.readToEnd().length);
        // Polled, not asserted once: on a busy machine another process may briefly hold the freed ephemeral port,
        // or a connect may pick it as its own source port and reach itself.
        int closedPort = port(proxy);
        await("the proxy's port refuses connections").atMost(Duration.ofSeconds(10)).until(() -> refuses(closedPort));
        assertThrows(IOException.class, client::getProxies);
        await("proxy threads end").atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().startsWith("fault-proxy-closing")));
    }

    private static boolean refuses(int port) {
        try {
            TcpClient.connect("127.0.0.1", port).close();
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

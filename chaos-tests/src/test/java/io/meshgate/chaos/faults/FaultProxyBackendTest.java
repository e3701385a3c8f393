package io.meshgate.chaos.faults;

import eu.rekawek.toxiproxy.model.ToxicDirection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend the chaos tests get from {@link Toxiproxies#start()}, whichever this machine has (a Toxiproxy container
 * with Docker, the in-JVM fault proxy without): a proxy made through the handle carries data, delays it, and cuts and
 * restores the link.
 */
class FaultProxyBackendTest {
    @Test
    void theChosenBackendProxiesAndInjectsFaults() throws IOException {
        try (EchoServer echo = EchoServer.start(); ToxiproxyHandle toxiproxy = Toxiproxies.start()) {
            ProxiedAddress link = toxiproxy.proxy("backend-echo", "127.0.0.1", echo.port());

            try (TcpClient client = TcpClient.connect(link.host(), link.port())) {
                client.send("plain");
                assertEquals("plain", client.readText(5), toxiproxy.description());
            }

            link.proxy().toxics().latency("lag", ToxicDirection.DOWNSTREAM, 150);
            try (TcpClient client = TcpClient.connect(link.host(), link.port())) {
                long sent = System.nanoTime();
                client.send("slow");
                assertEquals("slow", client.readText(4));
                assertTrue(System.nanoTime() - sent >= TimeUnit.MILLISECONDS.toNanos(150), toxiproxy.description());
            }
            link.proxy().toxics().get("lag").remove();

            link.proxy().disable();
            assertThrows(ConnectException.class, () -> TcpClient.connect(link.host(), link.port()), toxiproxy.description());
            link.proxy().enable();
            try (TcpClient client = TcpClient.connect(link.host(), link.port())) {
                client.send("restored");
                assertEquals("restored", client.readText(8), toxiproxy.description());
            }
        }
    }
}

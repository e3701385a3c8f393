package io.meshgate.chaos.client;

import io.meshgate.client.MeshgateClient;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.Ports;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * PROTOCOL.md WebSocket step 7 from the Java client's side: with tokens that live 4 s and no clock skew, the client
 * asks the application's supplier for fresh ones before each {@code exp} and sends {@code refresh}, so its one
 * connection outlives several tokens and is never closed 4001.
 */
class ClientTokenRefreshTest {
    private static final String SECRET = "refresh-secret-refresh-secret-refresh-0001";

    @Test
    void theClientRefreshesThroughTheApplicationsCallbackAndKeepsItsConnection() throws Exception {
        int port = Ports.free();
        URI edge = URI.create(DeploymentYaml.url(port));
        TokenMinter minter = new TokenMinter(SECRET);
        AtomicInteger asked = new AtomicInteger();
        try (InJvmGateway gateway = InJvmGateway.start(new DeploymentYaml().region("eu-west", null, port).with("""
                auth:
                  hs256Secret: "%s"
                  clockSkewSeconds: 0
                """.formatted(SECRET)));
             MeshgateClient client = MeshgateClient.builder(edge).tokenSupplier(() -> {
                 asked.incrementAndGet();
                 return minter.mint("renewer", List.of("*"), List.of("*"), Duration.ofSeconds(4));
             }).build()) {
            client.connect().get(30, TimeUnit.SECONDS);
            long connectedAt = System.currentTimeMillis();

            // Three tokens' lifetimes: the first token and two more must each have been replaced in time.
            await().atMost(Duration.ofSeconds(40)).until(() -> System.currentTimeMillis() - connectedAt > 12_000
                    && asked.get() >= 4);
            assertNotNull(client.publish("refresh:a", Map.of("still", "here")).get(30, TimeUnit.SECONDS));

            Counter expired = gateway.node("eu-west-1").meters().find("meshgate.ws.closed").tag("code", "4001")
                    .counter();
            assertEquals(0, expired == null ? 0 : (long) expired.count(), "no connection was closed 4001");
        }
    }
}

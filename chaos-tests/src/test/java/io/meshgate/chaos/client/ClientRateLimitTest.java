package io.meshgate.chaos.client;

import io.meshgate.chaos.Resources;
import io.meshgate.client.Ack;
import io.meshgate.client.ConnectionState;
import io.meshgate.client.MeshgateClient;
import io.meshgate.client.StateEvent;
import io.meshgate.edge.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backlog larger than the node's per-connection publish rate (what a client flushes after a partition heals): the
 * node answers {@code nack rate_limited} with {@code retry_ms}, and the Java client must wait that long and retry the
 * same ids, so every publish is acked once and the connection is never closed 4029.
 */
class ClientRateLimitTest {
    private static final int BACKLOG = 300;

    @RegisterExtension
    final Resources resources = new Resources();

    @Test
    void aBacklogOverTheRateLimitIsPacedByRetryMsAndAllAcked() throws Exception {
        int edge = Ports.free();
        resources.track(InJvmGateway.start(new DeploymentYaml().region("eu-west", "http://127.0.0.1:" + edge, edge)
                .with("""
                        auth:
                          mode: insecure
                        limits:
                          publishesPerSecond: 100
                        """)));
        MeshgateClient client = resources.track(MeshgateClient.builder(URI.create("http://127.0.0.1:" + edge))
                .clientId("paced").build());
        List<StateEvent> states = new CopyOnWriteArrayList<>();
        client.onState(states::add);
        client.connect().get(30, TimeUnit.SECONDS);

        List<CompletableFuture<Ack>> acks = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            acks.add(client.publish("chat:paced", Map.of("n", i)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long distinct = acks.stream().map(CompletableFuture::join).mapToLong(Ack::seq).distinct().count();
        assertEquals(BACKLOG, distinct, "every publish acked once, at its own seq");
        assertTrue(states.stream().noneMatch(e -> e.closeCode() == 4029),
                "never closed for the rate limit: " + states);
        assertEquals(1, states.stream().filter(e -> e.state() == ConnectionState.CONNECTED).count(),
                "one connection all along: " + states);
    }
}

package io.meshgate.client;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client without a server: option validation, and what close() promises. */
class MeshgateClientTest {
    private static final URI SEED = URI.create("http://127.0.0.1:9");

    @Test
    void badOptionsAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> MeshgateClient.builder(URI.create("ws://127.0.0.1:1")).build()).getMessage().startsWith("seeds"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> MeshgateClient.builder(SEED).clientId("has space").build()).getMessage().startsWith("clientId"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> MeshgateClient.builder(SEED).pollWait(Duration.ofSeconds(56)).build()).getMessage()
                .startsWith("pollWait"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> MeshgateClient.builder(SEED).backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
                .getMessage().startsWith("backoff cap"));
    }

    @Test
    void closeFailsWhatWasPromisedAndRefusesMore() throws Exception {
        MeshgateClient client = MeshgateClient.builder(SEED).clientId("c1").build();
        assertEquals(ConnectionState.IDLE, client.state());
        assertNull(client.region());
        Subscription sub = client.subscribe("chat:a", m -> { });
        assertThrows(IllegalStateException.class, () -> client.subscribe("chat:a", m -> { }),
                "one subscription per channel");
        CompletableFuture<Ack> pending = client.publish("chat:a", "before connect");
        CompletableFuture<StateEvent> closedEvent = new CompletableFuture<>();
        client.onState(e -> {
            if (e.state() == ConnectionState.CLOSED) {
                closedEvent.complete(e);
            }
        });

        client.close();

        ExecutionException publish = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertEquals("closed", assertInstanceOf(PublishRefusedException.class, publish.getCause()).code());
        assertEquals(ConnectionState.CLOSED, closedEvent.get(5, TimeUnit.SECONDS).state());
        assertEquals(ConnectionState.CLOSED, client.state());
        ExecutionException later = assertThrows(ExecutionException.class,
                () -> client.publish("chat:a", 1).get(5, TimeUnit.SECONDS));
        assertEquals("closed", ((PublishRefusedException) later.getCause()).code());
        assertInstanceOf(ClientStoppedException.class, assertThrows(ExecutionException.class,
                () -> client.connect().get(5, TimeUnit.SECONDS)).getCause());
        assertInstanceOf(ClientStoppedException.class, assertThrows(ExecutionException.class,
                () -> sub.subscribed().get(5, TimeUnit.SECONDS)).getCause(), "never answered, and now never will be");
    }
}

package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class SmokeTest {
    static TestRegion region;
    static String token;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).start();
        token = new TokenMinter(TestRegion.SECRET).mint("alice", List.of("*"), List.of("*"), Duration.ofHours(1));
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void publishAndReceive() {
        try (WsClient client = WsClient.connect(region.wsUrl(0), token)) {
            client.send("{\"op\":\"sub\",\"ch\":\"smoke\"}");
            JsonNode subscribed = client.awaitOp("subscribed");
            assertNotNull(subscribed);
            client.send("{\"op\":\"pub\",\"ch\":\"smoke\",\"id\":\"m1\",\"data\":{\"text\":\"hi\"}}");
            // The ack and the msg travel different paths, so either may come first; await consumes what it skips.
            JsonNode first = client.await(f -> f.path("op").asText().equals("msg")
                    || f.path("op").asText().equals("ack"));
            assertNotNull(first, "no msg or ack: " + client.received());
            String other = first.path("op").asText().equals("msg") ? "ack" : "msg";
            JsonNode second = client.awaitOp(other);
            assertNotNull(second, "no " + other + ": " + client.received());
            JsonNode msg = other.equals("msg") ? second : first;
            JsonNode ack = other.equals("ack") ? second : first;
            assertEquals(1, msg.get("seq").asLong());
            assertEquals("hi", msg.get("data").get("text").asText());
            assertEquals(1, ack.get("seq").asLong());
        }
    }
}

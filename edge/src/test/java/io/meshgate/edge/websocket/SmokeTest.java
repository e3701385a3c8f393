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
            JsonNode msg = client.awaitOp("msg");
            assertNotNull(msg, "no msg: " + client.received());
            assertEquals(1, msg.get("seq").asLong());
            assertEquals("hi", msg.get("data").get("text").asText());
            JsonNode ack = client.awaitOp("ack");
            assertNotNull(ack, "no ack: " + client.received());
            assertEquals(1, ack.get("seq").asLong());
        }
    }
}

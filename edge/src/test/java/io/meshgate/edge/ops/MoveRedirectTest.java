package io.meshgate.edge.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Issue 11, attack 1: whatever joins the cluster can rewrite a node's announced WebSocket URL in the region's meta
 * map, and the next drain would send every client (and its token) there. A move names configured nodes only.
 */
class MoveRedirectTest {

    @Test
    void aDrainNeverMovesClientsToAUrlOutsideTheConfiguration() throws Exception {
        try (TestRegion region = TestRegion.nodes(2).start()) {
            String other = "ws." + region.node(1).relay().region().memberId();
            region.node(0).relay().region().hazelcast().getMap("meshgate.meta").set(other, "ws://attacker.example:80/v1/ws");
            WsClient client = WsClient.connect(region.wsUrl(0), token("victim"));

            assertEquals(202, new Http(region.httpUrl(0)).raw("POST /admin/drain HTTP/1.1", "Content-Length: 0")
                    .status());

            JsonNode move = client.awaitOp("move");
            assertNotNull(move, "received " + client.received());
            assertFalse(move.path("url").asText("").contains("attacker"), move.toString());
            assertEquals(4100, client.closeCode().get(20, TimeUnit.SECONDS));
        }
    }
}

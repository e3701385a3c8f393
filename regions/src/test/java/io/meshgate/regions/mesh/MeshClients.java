package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.relay.mesh.Rendezvous;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** What the in-JVM mesh tests do as clients: pick channels by home, publish as a retrying client does. */
final class MeshClients {
    private MeshClients() {
    }

    /** A channel whose configured home is {@code region}. */
    static String homedIn(String region, String prefix) {
        for (int i = 0; ; i++) {
            String ch = prefix + i;
            if (Rendezvous.home(ch, DemoMesh.REGIONS).equals(region)) {
                return ch;
            }
        }
    }

    /** Publishes once and returns the ack or nack for the id (null when none came). */
    static JsonNode publishOnce(WsClient pub, String ch, String id) {
        pub.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"" + id + "\",\"data\":\"" + id + "\"}");
        return pub.await(f -> f.path("op").asText().matches("ack|nack") && f.path("id").asText().equals(id),
                Duration.ofSeconds(15));
    }

    /** Publishes, and on {@code nack unavailable} (the home is changing) sends the same id again, as clients do. */
    static JsonNode publishUntilAcked(WsClient pub, String ch, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        List<String> nacks = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            JsonNode reply = publishOnce(pub, ch, id);
            if (reply != null && reply.path("op").asText().equals("ack")) {
                return reply;
            }
            if (reply != null && !reply.path("code").asText().equals("unavailable")) {
                fail("publish " + id + " refused: " + reply);
            }
            nacks.add(String.valueOf(reply));
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // a client's backoff
        }
        throw new AssertionError("publish " + id + " never acked; nacks: " + nacks);
    }
}

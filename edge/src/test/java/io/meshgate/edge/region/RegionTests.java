package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.Metrics;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the region tests share: a token that may do everything, protocol frames, the nodes' {@code /metrics}, and
 * checks on a recorded stream of {@code msg} frames. Everything goes over 127.0.0.1, as a client would.
 */
final class RegionTests {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final Duration LONG = Duration.ofSeconds(60);

    private RegionTests() {
    }

    static String token() {
        return new TokenMinter(TestRegion.SECRET).mint("region-tests", List.of("*"), List.of("*"),
                Duration.ofHours(1));
    }

    // ---- frames ------------------------------------------------------------------------------------------------

    static String sub(String channel) {
        return JSON.createObjectNode().put("op", "sub").put("ch", channel).toString();
    }

    static String sub(String channel, String epoch, long seq) {
        ObjectNode frame = JSON.createObjectNode().put("op", "sub").put("ch", channel);
        frame.putObject("from").put("epoch", epoch).put("seq", seq);
        return frame.toString();
    }

    static String pub(String channel, String id, JsonNode data) {
        ObjectNode frame = JSON.createObjectNode().put("op", "pub").put("ch", channel).put("id", id);
        frame.set("data", data);
        return frame.toString();
    }

    static JsonNode data(String text) {
        return JSON.createObjectNode().put("text", text);
    }

    /** Subscribes and waits for {@code subscribed}; fails the test when it does not come. */
    static JsonNode subscribe(WsClient client, String frame, String channel) {
        client.send(frame);
        JsonNode subscribed = client.await(f -> isOp(f, "subscribed") && channel.equals(f.path("ch").asText())
                || isOp(f, "error"), LONG);
        if (subscribed == null || !isOp(subscribed, "subscribed")) {
            fail("no subscribed for " + channel + ": " + subscribed + " / " + client.received());
        }
        return subscribed;
    }

    /** Publishes one message and waits for its reply; fails the test unless it is an {@code ack}. */
    static void publishAcked(WsClient publisher, String ch, String id) {
        publisher.send(pub(ch, id, data(id)));
        JsonNode reply = publisher.await(f -> (isOp(f, "ack") || isOp(f, "nack")) && id.equals(f.path("id").asText()),
                LONG);
        assertTrue(reply != null && isOp(reply, "ack"), "publish " + id + " not acked: " + reply);
    }

    static boolean isOp(JsonNode frame, String op) {
        return op.equals(frame.path("op").asText());
    }

    /** Every {@code msg} of {@code channel} the client received so far, in arrival order. */
    static List<JsonNode> messages(WsClient client, String channel) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode frame : client.received()) {
            if (isOp(frame, "msg") && channel.equals(frame.path("ch").asText())) {
                out.add(frame);
            }
        }
        return out;
    }

    static long lastSeq(List<JsonNode> messages) {
        return messages.isEmpty() ? 0 : messages.get(messages.size() - 1).get("seq").asLong();
    }

    // ---- checks ------------------------------------------------------------------------------------------------

    /** G1 and G3 and no silent skip: seqs are exactly {@code first..last}, in order, and every id comes once. */
    static void assertContiguous(String who, List<JsonNode> messages, long first, long last) {
        assertEquals(last - first + 1, messages.size(), who + ": message count");
        Set<String> ids = new HashSet<>();
        long expected = first;
        for (JsonNode m : messages) {
            long seq = m.get("seq").asLong();
            if (seq != expected) {
                fail(who + ": seq " + seq + " where " + expected + " was expected (order, loss or duplicate)");
            }
            assertTrue(ids.add(m.get("id").asText()), who + ": id " + m.get("id") + " delivered twice");
            expected++;
        }
    }

    /** Every acked id was delivered once, at the seq and epoch of its ack. */
    static void assertMatchesAcks(String who, List<JsonNode> messages, Map<String, JsonNode> acksById) {
        Map<String, JsonNode> delivered = new HashMap<>();
        for (JsonNode m : messages) {
            if (delivered.put(m.get("id").asText(), m) != null) {
                fail(who + ": id " + m.get("id") + " delivered twice");
            }
        }
        for (Map.Entry<String, JsonNode> e : acksById.entrySet()) {
            JsonNode m = delivered.get(e.getKey());
            if (m == null) {
                fail(who + ": acked id " + e.getKey() + " (seq " + e.getValue().get("seq") + ") never delivered");
            }
            assertEquals(e.getValue().get("seq").asLong(), m.get("seq").asLong(), who + ": seq of " + e.getKey());
            assertEquals(e.getValue().get("epoch").asText(), m.get("epoch").asText(), who + ": epoch of " + e.getKey());
        }
    }

    // ---- HTTP --------------------------------------------------------------------------------------------------

    static HttpResponse<String> get(String url, String token, Duration timeout) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** See {@link Metrics#value}. */
    static double metric(String httpUrl, String name, Map<String, String> labels) {
        return Metrics.value(httpUrl, name, labels);
    }
}

package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A long-poll client of one channel: polls {@code GET /v1/poll?ch=X@E:S&wait=5} from its last position until it has
 * {@code expected} messages, at most {@code maxPolls} polls and until {@code deadline}. It asks the given nodes in
 * turn, since long-poll is stateless on the server. Run it on its own thread; {@link #call} returns what it got.
 */
final class LongPollSubscriber implements Callable<List<JsonNode>> {
    private final List<String> httpUrls;
    private final String token;
    private final String channel;
    private final int expected;
    private final int maxPolls;
    private final long deadlineNanos;
    private final List<JsonNode> received = new ArrayList<>();
    private String epoch;
    private long seq;

    LongPollSubscriber(List<String> httpUrls, String token, String channel, int expected, int maxPolls,
                       Duration timeLimit) {
        this.httpUrls = httpUrls;
        this.token = token;
        this.channel = channel;
        this.expected = expected;
        this.maxPolls = maxPolls;
        this.deadlineNanos = System.nanoTime() + timeLimit.toNanos();
    }

    /** Takes the channel's head as the starting position (what a client does before its first positioned poll). */
    LongPollSubscriber startAtHead() throws Exception {
        JsonNode body = poll(httpUrls.get(0), "ch=" + channel + "&wait=0");
        JsonNode head = body.get("heads").get(channel);
        epoch = head.get("epoch").asText();
        seq = head.get("seq").asLong();
        return this;
    }

    @Override
    public List<JsonNode> call() throws Exception {
        for (int polls = 0; polls < maxPolls && received.size() < expected && System.nanoTime() < deadlineNanos;
             polls++) {
            String position = URLEncoder.encode(channel + "@" + epoch + ":" + seq, StandardCharsets.UTF_8);
            JsonNode body = poll(httpUrls.get(polls % httpUrls.size()), "ch=" + position + "&wait=5");
            assertEquals(0, body.get("gaps").size(), "long-poll reported a gap: " + body.get("gaps"));
            for (JsonNode m : body.get("messages")) {
                received.add(m);
                epoch = m.get("epoch").asText();
                seq = m.get("seq").asLong();
            }
        }
        return received;
    }

    private JsonNode poll(String httpUrl, String query) throws Exception {
        HttpResponse<String> response = RegionTests.get(httpUrl + "/v1/poll?" + query, token,
                Duration.ofSeconds(30));
        assertEquals(200, response.statusCode(), "poll " + query + ": " + response.body());
        return RegionTests.JSON.readTree(response.body());
    }
}

package io.meshgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Protocol v1 over HTTP long-poll, for networks that block WebSocket. Stateless on the server: "connected" means the
 * edge answered {@code /v1/ping}; every poll carries the positions of the subscribed channels.
 *
 * <p>One poll in flight. A new subscription is first asked for its head with a poll of positionless channels (which
 * the server answers at once, and which also tells whether the token may read it); a 403 or 400 for several
 * channels is asked again one channel at a time, because the server's answer does not say which was refused.
 * Subscribing cancels a poll that is waiting, so the new channel joins the next one. Publishes go out one after
 * the other, in order, with {@code POST /v1/publish}. Threads: all on the conductor.
 */
final class LongPollConnection extends BaseConnection {
    private static final Logger LOG = LoggerFactory.getLogger(LongPollConnection.class);
    /** The server refuses a poll of more channels than this. */
    private static final int CHANNELS_PER_POLL = 100;

    private final Set<String> subscribed = new LinkedHashSet<>();
    private final Set<String> awaitingHead = new LinkedHashSet<>();
    private final ArrayDeque<List<String>> headQueries = new ArrayDeque<>();
    private final ArrayDeque<PendingPublish> publishes = new ArrayDeque<>();

    private String token;
    private boolean connected;
    private boolean finished;
    private boolean publishing;
    private boolean readingHeld;
    /** The request in flight (a poll or a head query), and a number that makes answers to cancelled ones stale. */
    private CompletableFuture<?> inFlight;
    private boolean pollInFlight;
    private long requestNumber;

    LongPollConnection(long id, RankedRegion endpoint, ConnectionContext ctx) {
        super(id, endpoint, ctx);
    }

    @Override
    public Transport transport() {
        return Transport.LONG_POLL;
    }

    @Override
    public String url() {
        return endpoint.httpUrl();
    }

    @Override
    public void open(String token, String session) {
        this.token = token;
        HttpRequest ping = HttpRequest.newBuilder(URI.create(endpoint.httpUrl() + "/v1/ping"))
                .timeout(ctx.config().requestTimeout()).GET().build();
        ctx.http().sendAsync(ping, HttpResponse.BodyHandlers.discarding())
                .whenCompleteAsync((response, error) -> {
                    if (finished) {
                        return;
                    }
                    if (error != null) {
                        finish(-1, Failures.describe(error));
                    } else if (response.statusCode() / 100 != 2) {
                        finish(-1, "/v1/ping answered HTTP " + response.statusCode());
                    } else {
                        connected = true;
                        listener.onConnected(this, endpoint.name(), null, null);
                        pumpPublishes();
                        next();
                    }
                }, ctx.conductor());
    }

    @Override
    public void subscribe(String channel, Position from) {
        subscribed.remove(channel);
        if (subscribed.size() + awaitingHead.size() >= CHANNELS_PER_POLL && !awaitingHead.contains(channel)) {
            // One poll covers every channel, and the server takes at most this many; as a WebSocket would refuse it.
            listener.onSubscribeRefused(this, channel, "bad_request", "long-poll polls at most " + CHANNELS_PER_POLL
                    + " channels");
            return;
        }
        awaitingHead.add(channel);
        if (pollInFlight) {
            // A poll may hold for up to pollWait: drop it so the new channel is asked for at once.
            cancelInFlight();
        }
        next();
    }

    @Override
    public void unsubscribe(String channel) {
        subscribed.remove(channel);
        awaitingHead.remove(channel);
    }

    @Override
    public void publish(PendingPublish publish) {
        publishes.addLast(publish);
        pumpPublishes();
    }

    @Override
    public void resumeReading() {
        if (readingHeld) {
            readingHeld = false;
            next();
        }
    }

    @Override
    public void close() {
        finished = true;
        cancelInFlight();
    }

    /** Starts the next request unless one is in flight: a head query first, else a poll. */
    private void next() {
        if (!connected || finished || inFlight != null) {
            return;
        }
        if (headQueries.isEmpty() && !awaitingHead.isEmpty()) {
            List<String> all = new ArrayList<>(awaitingHead);
            for (int i = 0; i < all.size(); i += CHANNELS_PER_POLL) {
                headQueries.add(all.subList(i, Math.min(all.size(), i + CHANNELS_PER_POLL)));
            }
        }
        if (!headQueries.isEmpty()) {
            queryHeads(headQueries.removeFirst());
            return;
        }
        if (subscribed.isEmpty()) {
            return;
        }
        if (!listener.mayRead()) {
            readingHeld = true;
            return;
        }
        poll();
    }

    private void queryHeads(List<String> channels) {
        StringBuilder query = new StringBuilder();
        for (String channel : channels) {
            query.append(query.length() == 0 ? "" : "&").append("ch=").append(encode(channel));
        }
        send(query.toString(), ctx.config().requestTimeout(), false, (status, body) -> {
            if (status == 200) {
                JsonNode heads = body.path("heads");
                for (String channel : channels) {
                    if (!awaitingHead.remove(channel)) {
                        continue; // unsubscribed meanwhile
                    }
                    JsonNode head = heads.get(channel);
                    if (head == null) {
                        finish(-1, "poll answer without the head of " + channel);
                        return;
                    }
                    subscribed.add(channel);
                    listener.onSubscribed(this, channel, ProtocolFrames.position(head));
                }
            } else if (status == 403 || status == 400) {
                if (channels.size() == 1) {
                    String channel = channels.get(0);
                    awaitingHead.remove(channel);
                    listener.onSubscribeRefused(this, channel, body.path("code").asText("forbidden"),
                            body.path("reason").asText());
                } else {
                    channels.forEach(channel -> headQueries.add(List.of(channel)));
                }
            } else {
                failed(status, body);
                return;
            }
            next();
        });
    }

    private void poll() {
        StringBuilder query = new StringBuilder();
        int count = 0;
        for (String channel : subscribed) {
            Position at = listener.positionOf(channel);
            if (at == null) {
                continue;
            }
            count++;
            query.append("ch=").append(encode(channel + "@" + at.epoch() + ":" + at.seq())).append('&');
        }
        if (count == 0) {
            return;
        }
        long waitS = ctx.config().pollWaitMs() / 1000;
        query.append("wait=").append(waitS);
        // The server may hold the poll for the whole wait; the time-out only has to catch a dead connection.
        Duration timeout = Duration.ofSeconds(waitS).plus(ctx.config().requestTimeout());
        send(query.toString(), timeout, true, (status, body) -> {
            if (status == 200) {
                deliver(body);
            } else if (status == 403 || status == 400) {
                // The token lost a channel (or one became invalid): find out which, one channel at a time.
                awaitingHead.addAll(subscribed);
                subscribed.clear();
                headQueries.clear();
                new ArrayList<>(awaitingHead).forEach(channel -> headQueries.add(List.of(channel)));
            } else {
                failed(status, body);
                return;
            }
            next();
        });
    }

    /** Gaps first: each says what is gone before the messages of its channel that follow it. */
    private void deliver(JsonNode body) {
        for (JsonNode gap : body.path("gaps")) {
            listener.onGap(this, gap.path("ch").asText(), gap.path("from").asLong(), gap.path("to").asLong());
        }
        for (JsonNode message : body.path("messages")) {
            if (finished) {
                return;
            }
            listener.onMessage(this, ProtocolFrames.message(message));
        }
    }

    private interface Answer {
        void handle(int status, JsonNode body);
    }

    private void send(String query, Duration timeout, boolean isPoll, Answer answer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.httpUrl() + "/v1/poll?" + query))
                .timeout(timeout).GET();
        authorize(request);
        long number = ++requestNumber;
        CompletableFuture<HttpResponse<String>> call = ctx.http().sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofString());
        inFlight = call;
        pollInFlight = isPoll;
        call.whenCompleteAsync((response, error) -> {
            if (finished || number != requestNumber) {
                return; // closed, or cancelled for a newer request
            }
            inFlight = null;
            pollInFlight = false;
            if (error != null) {
                finish(-1, "poll failed: " + Failures.describe(error));
                return;
            }
            answer.handle(response.statusCode(), parse(response.body()));
        }, ctx.conductor());
    }

    private void pumpPublishes() {
        if (!connected || finished || publishing || publishes.isEmpty()) {
            return;
        }
        PendingPublish p = publishes.removeFirst();
        publishing = true;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.httpUrl() + "/v1/publish"))
                .timeout(ctx.config().requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ProtocolFrames.publishBody(p)));
        authorize(request);
        ctx.http().sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .whenCompleteAsync((response, error) -> {
                    if (finished) {
                        return;
                    }
                    publishing = false;
                    if (error != null) {
                        // Whether it was sequenced is unknown: the outbox sends it again after the reconnect.
                        finish(-1, "publish failed: " + Failures.describe(error));
                        return;
                    }
                    int status = response.statusCode();
                    JsonNode body = parse(response.body());
                    if (status == 200) {
                        listener.onAck(this, ProtocolFrames.ack(body));
                    } else if (status == 401) {
                        finish(4001, "unauthorized: " + body.path("reason").asText());
                        return;
                    } else if (status / 100 == 4) {
                        listener.onNack(this, p.channel, p.id, body.path("code").asText("bad_request"),
                                body.path("reason").asText("HTTP " + status), body.path("retry_ms").asLong(-1));
                    } else {
                        listener.onNack(this, p.channel, p.id, "unavailable", "HTTP " + status + " "
                                + body.path("reason").asText(), -1);
                    }
                    pumpPublishes();
                }, ctx.conductor());
    }

    /** 401 ends the connection as WebSocket's close 4001 would; anything else unexpected ends it too. */
    private void failed(int status, JsonNode body) {
        String reason = body.path("reason").asText("");
        if (status == 401) {
            finish(4001, "unauthorized: " + reason);
        } else {
            finish(-1, "poll answered HTTP " + status + (reason.isEmpty() ? "" : ": " + reason));
        }
    }

    private void authorize(HttpRequest.Builder request) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
    }

    private void cancelInFlight() {
        requestNumber++;
        pollInFlight = false;
        if (inFlight != null) {
            inFlight.cancel(true);
            inFlight = null;
        }
    }

    private void finish(int code, String reason) {
        if (finished) {
            return;
        }
        finished = true;
        cancelInFlight();
        LOG.debug("{}: long-poll ended: {}", endpoint.httpUrl(), reason);
        listener.onClosed(this, code, reason);
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
        } catch (Exception e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

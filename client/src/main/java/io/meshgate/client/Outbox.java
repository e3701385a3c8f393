package io.meshgate.client;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes not yet acknowledged, in the order the application made them, at most {@code capacity}. Each is sent
 * once per connection ({@link #takeDue}); a reconnect makes every one due again, and a {@code nack unavailable} makes
 * that one due again after a backoff. The application's threads add ({@link #offer}, which refuses when full instead
 * of queueing anywhere else); the conductor does the rest. Synchronized, and every method is short.
 */
final class Outbox {
    private final int capacity;
    private final Backoff backoff;
    private final Clock clock;
    private final Map<String, PendingPublish> pending = new LinkedHashMap<>();
    /** Nothing is sent before this (ms on the clock): a node's rate limit applies to the whole connection. */
    private long pausedUntilMs = Long.MIN_VALUE;

    Outbox(int capacity, Backoff backoff, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("outbox capacity must be >= 1");
        }
        this.capacity = capacity;
        this.backoff = backoff;
        this.clock = clock;
    }

    /** Why {@link #offer} refused. */
    enum Refusal { NONE, FULL, DUPLICATE_ID }

    /** Adds a publish unless the outbox is full or already holds its channel and id. */
    synchronized Refusal offer(PendingPublish publish) {
        if (pending.containsKey(publish.key())) {
            return Refusal.DUPLICATE_ID;
        }
        if (pending.size() >= capacity) {
            return Refusal.FULL;
        }
        pending.put(publish.key(), publish);
        return Refusal.NONE;
    }

    /** The publish with this channel and id, removed (its ack or final refusal arrived); null when it is not here. */
    synchronized PendingPublish remove(String channel, String id) {
        return pending.remove(PendingPublish.key(channel, id));
    }

    /**
     * Publishes sent on one connection and not yet answered, at most. A backlog (everything unacked after a
     * reconnect) goes out as a window that answers refill, so it stays under the node's per-connection rate limit's
     * patience (a node closes 4029 only when 100 requests ignore one {@code retry_ms}) and behind no one's acks.
     */
    static final int WINDOW = 32;

    /**
     * Publishes to send on connection {@code connection} now, in their original order: those not yet sent on it and
     * not waiting out a backoff, as many as keep at most {@link #WINDOW} unanswered on it. They count as sent on it
     * from here on.
     */
    synchronized List<PendingPublish> takeDue(long connection) {
        long now = clock.millis();
        if (now < pausedUntilMs) {
            return List.of();
        }
        int inFlight = 0;
        for (PendingPublish p : pending.values()) {
            if (p.sentOnConnection == connection) {
                inFlight++;
            }
        }
        List<PendingPublish> due = new ArrayList<>();
        for (PendingPublish p : pending.values()) {
            if (inFlight + due.size() >= WINDOW) {
                break;
            }
            if (p.sentOnConnection != connection && p.notBeforeMs <= now) {
                p.sentOnConnection = connection;
                due.add(p);
            }
        }
        return due;
    }

    /**
     * The server answered {@code unavailable}: the publish is due again after a backoff that grows with each such
     * answer. Returns that wait in ms, or -1 when the publish is not here.
     */
    synchronized long retryLater(String channel, String id) {
        PendingPublish p = pending.get(PendingPublish.key(channel, id));
        if (p == null) {
            return -1;
        }
        long delay = backoff.delayMs(p.unavailableNacks++);
        p.notBeforeMs = clock.millis() + delay;
        p.sentOnConnection = -1;
        return delay;
    }

    /**
     * The server answered {@code rate_limited} with {@code retry_ms}: the publish is due again once that time has
     * passed. Returns the wait in ms, or -1 when the publish is not here.
     */
    synchronized long retryAfter(String channel, String id, long retryMs) {
        PendingPublish p = pending.get(PendingPublish.key(channel, id));
        if (p == null) {
            return -1;
        }
        long delay = Math.max(1, retryMs);
        p.notBeforeMs = clock.millis() + delay;
        p.sentOnConnection = -1;
        // The limit is the connection's, not this publish's: sending others meanwhile would be refused too.
        pausedUntilMs = Math.max(pausedUntilMs, p.notBeforeMs);
        return delay;
    }

    /** Ms until the earliest publish waiting out a backoff is due (0 if one is due now), or -1 when none waits. */
    synchronized long nextDueInMs() {
        long now = clock.millis();
        long earliest = Long.MAX_VALUE;
        for (PendingPublish p : pending.values()) {
            if (p.sentOnConnection == -1 && p.notBeforeMs > 0) {
                earliest = Math.min(earliest, p.notBeforeMs);
            }
        }
        return earliest == Long.MAX_VALUE ? -1 : Math.max(0, earliest - now);
    }

    /** Everything still pending, removed: the client stops and fails them. */
    synchronized List<PendingPublish> removeAll() {
        List<PendingPublish> all = new ArrayList<>(pending.values());
        pending.clear();
        return all;
    }

    synchronized int size() {
        return pending.size();
    }
}

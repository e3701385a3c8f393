package io.meshgate.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.concurrent.CompletableFuture;

/**
 * One publish waiting in the {@link Outbox} for its {@code ack}. The id never changes, so every resend is
 * idempotent (G4). Its delivery bookkeeping is guarded by the outbox that holds it.
 */
final class PendingPublish {
    final String channel;
    final String id;
    final JsonNode data;
    final CompletableFuture<Ack> future;

    // Guarded by the outbox.
    long sentOnConnection = -1;
    long notBeforeMs;
    int unavailableNacks;

    PendingPublish(String channel, String id, JsonNode data, CompletableFuture<Ack> future) {
        this.channel = channel;
        this.id = id;
        this.data = data;
        this.future = future;
    }

    /** Ids are unique per channel, so the outbox knows a publish by both. */
    String key() {
        return key(channel, id);
    }

    static String key(String channel, String id) {
        return channel + ' ' + id; // a space never occurs in a channel name
    }
}

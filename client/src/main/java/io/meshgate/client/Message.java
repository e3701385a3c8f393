package io.meshgate.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One channel message as the server sequenced it ({@code op: msg} of protocol v1).
 *
 * @param id   the publisher's message id, unique per channel
 * @param data any JSON value
 * @param ts   milliseconds since the Unix epoch when the message was sequenced
 */
public record Message(String channel, String epoch, long seq, String id, JsonNode data, long ts) {
    public Position position() {
        return new Position(epoch, seq);
    }

    /** {@link #data} bound to {@code type} with Jackson. */
    public <T> T data(Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(data, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("message " + id + " on " + channel + " is not a " + type.getName(), e);
        }
    }
}

package io.meshgate.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The client's side of protocol v1's JSON: frames it sends, and the objects it reads back. */
final class ProtocolFrames {
    private ProtocolFrames() {
    }

    static String refresh(String token) {
        return write(Json.MAPPER.createObjectNode().put("op", "refresh").put("token", token));
    }

    static String connect(String token, String session) {
        ObjectNode frame = Json.MAPPER.createObjectNode().put("op", "connect");
        if (token != null) {
            frame.put("token", token);
        }
        if (session != null) {
            frame.put("session", session);
        }
        return write(frame);
    }

    static String subscribe(String channel, Position from) {
        ObjectNode frame = Json.MAPPER.createObjectNode().put("op", "sub").put("ch", channel);
        if (from != null) {
            frame.putObject("from").put("epoch", from.epoch()).put("seq", from.seq());
        }
        return write(frame);
    }

    static String unsubscribe(String channel) {
        return write(Json.MAPPER.createObjectNode().put("op", "unsub").put("ch", channel));
    }

    static String publish(PendingPublish p) {
        ObjectNode frame = Json.MAPPER.createObjectNode().put("op", "pub").put("ch", p.channel).put("id", p.id);
        frame.set("data", p.data);
        return write(frame);
    }

    /** The body of {@code POST /v1/publish}: the {@code pub} frame without its {@code op}. */
    static String publishBody(PendingPublish p) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("ch", p.channel).put("id", p.id);
        body.set("data", p.data);
        return write(body);
    }

    static String pong() {
        return "{\"op\":\"pong\"}";
    }

    static Message message(JsonNode msg) {
        return new Message(msg.path("ch").asText(), msg.path("epoch").asText(), msg.path("seq").asLong(),
                msg.path("id").asText(), msg.path("data"), msg.path("ts").asLong());
    }

    static Ack ack(JsonNode ack) {
        return new Ack(ack.path("ch").asText(), ack.path("id").asText(), ack.path("epoch").asText(),
                ack.path("seq").asLong());
    }

    static Position position(JsonNode node) {
        return new Position(node.path("epoch").asText(""), node.path("seq").asLong());
    }

    /** A field that may be absent or JSON null: null then. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String write(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + node, e);
        }
    }
}

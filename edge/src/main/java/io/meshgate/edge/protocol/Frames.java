package io.meshgate.edge.protocol;

import io.meshgate.relay.channel.Message;

import static io.meshgate.edge.protocol.Json.quote;

/**
 * Writes the server's frames of protocol v1. Strings are built directly (a message frame is written once per node
 * and shared by every subscriber), with every string value escaped by Jackson.
 */
public final class Frames {
    private Frames() {
    }

    public static String message(Message m) {
        return "{\"op\":\"msg\",\"ch\":" + quote(m.channel()) + ",\"epoch\":" + quote(m.epoch()) + ",\"seq\":"
                + m.seq() + ",\"id\":" + quote(m.id()) + ",\"data\":" + m.dataJson() + ",\"ts\":" + m.ts() + "}";
    }

    public static String connected(String session, String region, String node, long pingMs) {
        return "{\"op\":\"connected\",\"session\":" + quote(session) + ",\"region\":" + quote(region)
                + ",\"node\":" + quote(node) + ",\"ping_ms\":" + pingMs + "}";
    }

    public static String subscribed(String channel, String epoch, long head, boolean recovered) {
        return "{\"op\":\"subscribed\",\"ch\":" + quote(channel) + ",\"epoch\":" + quote(epoch) + ",\"seq\":" + head
                + ",\"recovered\":" + recovered + "}";
    }

    public static String unsubscribed(String channel) {
        return "{\"op\":\"unsubscribed\",\"ch\":" + quote(channel) + "}";
    }

    public static String gap(String channel, long from, long to) {
        return "{\"op\":\"gap\",\"ch\":" + quote(channel) + ",\"from\":" + from + ",\"to\":" + to + "}";
    }

    public static String ack(String id, String channel, String epoch, long seq) {
        return "{\"op\":\"ack\",\"id\":" + quote(id) + ",\"ch\":" + quote(channel) + ",\"epoch\":" + quote(epoch)
                + ",\"seq\":" + seq + "}";
    }

    public static String nack(String id, String channel, ErrorCode code, String reason) {
        // The id is echoed whatever it holds, so the client can match the nack to its publish.
        return "{\"op\":\"nack\",\"id\":" + (id == null ? "null" : Json.quoteKeepingSurrogates(id)) + ",\"ch\":"
                + (channel == null ? "null" : quote(channel)) + ",\"code\":" + quote(code.wire()) + ",\"reason\":"
                + quote(reason) + "}";
    }

    public static String error(ErrorCode code, String reason) {
        return "{\"op\":\"error\",\"code\":" + quote(code.wire()) + ",\"reason\":" + quote(reason) + "}";
    }

    public static String error(ErrorCode code, String channel, String reason) {
        if (channel == null) {
            return error(code, reason);
        }
        return "{\"op\":\"error\",\"code\":" + quote(code.wire()) + ",\"ch\":" + quote(channel) + ",\"reason\":"
                + quote(reason) + "}";
    }

    public static String ping() {
        return "{\"op\":\"ping\"}";
    }

    public static String pong() {
        return "{\"op\":\"pong\"}";
    }

    /** {@code url} may be null: the client then picks its next best region itself. */
    public static String move(String reason, String region, String url, long afterMs) {
        return "{\"op\":\"move\",\"reason\":" + quote(reason) + ",\"region\":" + quote(region)
                + (url == null ? "" : ",\"url\":" + quote(url)) + ",\"after_ms\":" + afterMs + "}";
    }

    public static String position(String epoch, long seq) {
        return "{\"epoch\":" + quote(epoch) + ",\"seq\":" + seq + "}";
    }
}

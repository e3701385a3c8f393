package io.meshgate.chaos.bench;

import java.nio.charset.StandardCharsets;

/**
 * What the wire benchmark's lean clients say to each server it compares, and how a delivered payload is recognised.
 * Every server gets the same payload, {@code {"n":<per-channel count>,"t":<nanoTime when due>,"p":"<padding>"}}, so
 * order (consecutive {@code n}) and publish→deliver latency ({@code t}) are read the same way from all of them.
 *
 * <ul>
 *   <li>{@link #MESHGATE}: client protocol v1 (docs/protocol.md) on {@code /v1/ws}: {@code connect}, {@code sub};
 *       ready on {@code subscribed} (idle: on {@code connected}); publishes are {@code pub} with an id, answered by
 *       {@code ack}.</li>
 *   <li>{@link #NATS}: the NATS text protocol inside WebSocket binary frames: {@code CONNECT}, {@code SUB}, then
 *       {@code PING}; ready on {@code PONG}. Core NATS has no per-publish acknowledgement: a publisher may send a
 *       {@code PING} after each {@code PUB} and take the {@code PONG} for its ack ({@link #publish}).</li>
 * </ul>
 */
enum WireProtocol {
    MESHGATE("/v1/ws"),
    NATS("/");

    private final String path;

    WireProtocol(String path) {
        this.path = path;
    }

    /** The request path of the WebSocket upgrade. */
    String path() {
        return path;
    }

    /** What a connection sends once upgraded: a session for Meshgate, a subscription where {@code channel} is set. */
    byte[][] opening(String channel) {
        return switch (this) {
            case MESHGATE -> channel == null
                    ? new byte[][] {ascii("{\"op\":\"connect\"}")}
                    : new byte[][] {ascii("{\"op\":\"connect\"}"),
                                    ascii("{\"op\":\"sub\",\"ch\":\"" + channel + "\"}")};
            case NATS -> new byte[][] {ascii("CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":false}\r\n"
                    + (channel == null ? "" : "SUB " + channel + " 1\r\n") + "PING\r\n")};
        };
    }

    /** True for WebSocket binary frames (NATS), false for text frames. */
    boolean binary() {
        return this == NATS;
    }

    /**
     * The publish of {@code payload} to {@code channel}; {@code id} is what an ack names (Meshgate). For nats-server,
     * {@code ping} adds a {@code PING} right after the {@code PUB}: core NATS has no per-publish acknowledgement, but
     * the server reads a connection's operations in order, so its {@code PONG} comes once it has processed the
     * {@code PUB} (handed the message to every subscriber's outbound buffer), the nearest thing to Meshgate's ack.
     * The answers are matched in order.
     */
    byte[] publish(String channel, long id, String payload, boolean ping) {
        return switch (this) {
            case MESHGATE -> ascii("{\"op\":\"pub\",\"ch\":\"" + channel + "\",\"id\":\"p" + id + "\",\"data\":"
                    + payload + "}");
            case NATS -> ascii("PUB " + channel + " " + payload.length() + "\r\n" + payload + "\r\n"
                    + (ping ? "PING\r\n" : ""));
        };
    }

    static String payload(long n, long dueNanos, String padding) {
        return "{\"n\":" + n + ",\"t\":" + dueNanos + ",\"p\":\"" + padding + "\"}";
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Index just past the first {@code key} in {@code b[from, to)}, or -1. */
    static int indexAfter(byte[] b, int from, int to, byte[] key) {
        outer:
        for (int i = from; i <= to - key.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (b[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    /** The decimal number (optionally negative) at {@code b[i]}; {@code Long.MIN_VALUE} if there is none. */
    static long number(byte[] b, int i, int to) {
        if (i < 0 || i >= to) {
            return Long.MIN_VALUE;
        }
        boolean negative = b[i] == '-';
        int j = negative ? i + 1 : i;
        long v = 0;
        int digits = 0;
        while (j < to && b[j] >= '0' && b[j] <= '9') {
            v = v * 10 + (b[j++] - '0');
            digits++;
        }
        return digits == 0 ? Long.MIN_VALUE : negative ? -v : v;
    }
}

package io.meshgate.client;

/** The server's acknowledgement of a publish: the message is durable at this position. */
public record Ack(String channel, String id, String epoch, long seq) {
    public Position position() {
        return new Position(epoch, seq);
    }
}

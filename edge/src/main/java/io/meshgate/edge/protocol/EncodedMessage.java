package io.meshgate.edge.protocol;

import io.meshgate.relay.channel.Message;

import java.nio.ByteBuffer;

/**
 * A message and its {@code msg} frame, encoded once per node: the finished WebSocket frame in one immutable buffer,
 * shared by every subscriber's outbound queue and by long-poll answers (which use its JSON payload). Immutable and
 * safe to share between threads; every reader takes its own {@link #frame() view}.
 */
public final class EncodedMessage {
    private final Message message;
    private final ByteBuffer frame;
    private final int payloadOffset;

    private EncodedMessage(Message message, ByteBuffer frame) {
        this.message = message;
        this.frame = frame;
        int length = frame.get(1) & 0x7F;
        this.payloadOffset = length < 126 ? 2 : length == 126 ? 4 : 10;
    }

    public static EncodedMessage of(Message message) {
        return new EncodedMessage(message, WsFrame.text(Frames.message(message)));
    }

    public Message message() {
        return message;
    }

    public long seq() {
        return message.seq();
    }

    /** A new view of the shared frame bytes (position 0, read-only): one per write. */
    public ByteBuffer frame() {
        return frame.duplicate();
    }

    /** Size of the whole frame in bytes: what an outbound queue counts. */
    public int frameBytes() {
        return frame.capacity();
    }

    /** A new read-only view of the frame's payload: the {@code msg} JSON object in UTF-8. */
    public ByteBuffer json() {
        return frame.duplicate().position(payloadOffset).slice();
    }
}

package io.meshgate.edge.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Finished, unmasked WebSocket frames (RFC 6455 section 5.2) as the server writes them. A server frame is never
 * masked, so its bytes are the same for every client: a message frame is built once per node and every
 * subscriber's socket writes a view of the same buffer.
 */
public final class WsFrame {
    private static final int FIN_TEXT = 0x81;
    private static final int FIN_CLOSE = 0x88;
    private static final int FIN_PONG = 0x8A;

    private WsFrame() {
    }

    /** A text frame holding {@code json}, in a read-only direct buffer (written to sockets without a copy). */
    public static ByteBuffer text(String json) {
        return frame(FIN_TEXT, json.getBytes(StandardCharsets.UTF_8), true);
    }

    /** A text frame in a heap buffer: for a frame written to one socket only (acks, errors). */
    public static ByteBuffer textOnce(String json) {
        return frame(FIN_TEXT, json.getBytes(StandardCharsets.UTF_8), false);
    }

    /** A close frame; {@code reason} must be at most 123 UTF-8 bytes. */
    public static ByteBuffer close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return frame(FIN_CLOSE, payload, false);
    }

    /** The answer to a client's ping control frame, echoing its payload (at most 125 bytes). */
    public static ByteBuffer pong(byte[] payload) {
        return frame(FIN_PONG, payload, false);
    }

    /** Where the payload starts in a frame of {@code payloadLength} bytes. */
    public static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
    }

    private static ByteBuffer frame(int firstByte, byte[] payload, boolean direct) {
        int header = headerLength(payload.length);
        ByteBuffer frame = direct ? ByteBuffer.allocateDirect(header + payload.length)
                : ByteBuffer.allocate(header + payload.length);
        frame.put((byte) firstByte);
        if (header == 2) {
            frame.put((byte) payload.length);
        } else if (header == 4) {
            frame.put((byte) 126).putShort((short) payload.length);
        } else {
            frame.put((byte) 127).putLong(payload.length);
        }
        frame.put(payload).flip();
        return frame.asReadOnlyBuffer();
    }
}

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

    /**
     * A text frame holding {@code json}, read-only. Frames live on the heap, not in direct memory: their lifetime is
     * up to the garbage collector and bounded by the heap limit, and the JDK's copy into its per-thread direct buffer
     * on write costs far less than the system call it is part of.
     */
    public static ByteBuffer text(String json) {
        return frame(FIN_TEXT, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A close frame; {@code reason} must be at most 123 UTF-8 bytes. */
    public static ByteBuffer close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return frame(FIN_CLOSE, payload);
    }

    /** The answer to a client's ping control frame, echoing its payload (at most 125 bytes). */
    public static ByteBuffer pong(byte[] payload) {
        return frame(FIN_PONG, payload);
    }

    /** Where the payload starts in a frame of {@code payloadLength} bytes. */
    public static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
    }

    private static ByteBuffer frame(int firstByte, byte[] payload) {
        int header = headerLength(payload.length);
        ByteBuffer frame = ByteBuffer.allocate(header + payload.length);
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

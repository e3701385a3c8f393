package io.meshgate.edge.server;

import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.StreamSinkConduit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Gives Undertow's parser refusals the protocol's {@code error} object. When Undertow's HTTP parser cannot read a
 * request head (a malformed percent-escape such as {@code %zz}, or a head past its parse ceilings) it writes a fixed
 * 400 with an empty body and closes the connection, before any handler runs; the protocol promises every malformed
 * request a 4xx with an {@code error} object. This conduit, below Undertow on every edge connection, recognises that
 * exact response and writes in its place a 400 carrying {@code error bad_request}.
 *
 * <p>Every other write passes through after a length check. Called on the connection's I/O thread, like every
 * conduit of the connection. The replacement is written at once on a socket whose earlier responses are out (the
 * parser only refuses between requests); should the socket not take it whole, the rest goes with the next flush
 * and, like Undertow's own answer, is lost if the connection closes first.
 */
final class ParserRefusalConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {
    /** What Undertow 2.x's {@code HttpReadListener} writes when a request head cannot be parsed. */
    static final byte[] UNDERTOW_REFUSAL = ("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close"
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    static final String REASON = "the request could not be parsed: a malformed percent-escape (%zz, %4 or a bare %)"
            + " or a request head past the parser's limits";
    private static final byte[] REPLY = reply();

    private ByteBuffer pending;

    ParserRefusalConduit(StreamSinkConduit next) {
        super(next);
    }

    private static byte[] reply() {
        byte[] body = Frames.error(ErrorCode.BAD_REQUEST, REASON).getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] reply = new byte[head.length + body.length];
        System.arraycopy(head, 0, reply, 0, head.length);
        System.arraycopy(body, 0, reply, head.length, body.length);
        return reply;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (pending != null && !drain()) {
            return 0;
        }
        if (isUndertowRefusal(src)) {
            pending = ByteBuffer.wrap(REPLY);
            drain();
            int taken = src.remaining();
            src.position(src.limit());
            return taken;
        }
        return next.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
        return pending != null && !drain() ? 0 : next.write(srcs, offs, len);
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        return pending != null && !drain() ? 0 : next.writeFinal(src);
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
        return pending != null && !drain() ? 0 : next.writeFinal(srcs, offs, len);
    }

    @Override
    public boolean flush() throws IOException {
        return (pending == null || drain()) && next.flush();
    }

    /** True when the reply is out (or was never pending). */
    private boolean drain() throws IOException {
        while (pending.hasRemaining()) {
            if (next.write(pending) == 0) {
                return false;
            }
        }
        pending = null;
        return true;
    }

    static boolean isUndertowRefusal(ByteBuffer src) {
        if (src.remaining() != UNDERTOW_REFUSAL.length) {
            return false;
        }
        int at = src.position();
        for (int i = 0; i < UNDERTOW_REFUSAL.length; i++) {
            if (src.get(at + i) != UNDERTOW_REFUSAL[i]) {
                return false;
            }
        }
        return true;
    }
}

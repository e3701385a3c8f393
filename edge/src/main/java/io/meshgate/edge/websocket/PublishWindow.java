package io.meshgate.edge.websocket;

import io.undertow.websockets.core.WebSocketChannel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Inbound flow control for one socket: the node stops reading a client's frames while its unanswered publishes
 * reach a quarter of its outbound queue, and reads again once half of those are answered. Every publish is answered
 * with one {@code ack} or {@code nack} frame on the connection's reply queue ({@link WsConnection#sendReply}, bounded
 * like the delivery queue), so without this a client that pipelines more publishes than that holds, and reads
 * everything, would be closed 4008 by its own acks. With it the burst waits in the client's socket (TCP pushes
 * back) instead, and the replies queued stay bounded by the window plus what one write has not yet carried away
 * (every write takes the replies first).
 *
 * <p>Threads: {@link #opened} on the socket's I/O thread (where frames are read); {@link #answered} from whatever
 * thread completes a publish. Suspending and resuming both happen on the I/O thread, so they never race.
 */
final class PublishWindow {
    private final WebSocketChannel channel;
    private final int limit;
    private final AtomicInteger unanswered = new AtomicInteger();
    /** I/O thread only. */
    private boolean suspended;

    /** {@code queueFrames}: the connection's outbound bound in frames; the window is a quarter of it (at least 1). */
    PublishWindow(WebSocketChannel channel, int queueFrames) {
        this.channel = channel;
        this.limit = Math.max(1, queueFrames / 4);
    }

    /** A publish went to the sequencer (I/O thread): when the window is full, reading stops until it drains. */
    void opened() {
        if (unanswered.incrementAndGet() >= limit && !suspended) {
            suspended = true;
            channel.suspendReceives();
        }
    }

    /** Its reply was queued (any thread). */
    void answered() {
        if (unanswered.decrementAndGet() == limit / 2) {
            channel.getIoThread().execute(this::resumeIfDrained);
        }
    }

    private void resumeIfDrained() {
        if (suspended && unanswered.get() <= limit / 2) {
            suspended = false;
            channel.resumeReceives();
        }
    }

    int limit() {
        return limit;
    }
}

package io.meshgate.edge.websocket;

import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.xnio.IoUtils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * One socket's way out. Frames wait in a queue bounded by count and bytes; exactly one is handed to Undertow at a
 * time, so a client that stops reading stops the queue from draining and the bound is reached (close 4008)
 * instead of Undertow buffering without limit.
 *
 * <p>Threads: {@link #send} and {@link #close} may be called from any thread; writes happen on the socket's I/O
 * thread only.
 */
public final class WsConnection {
    private final WebSocketChannel channel;
    private final int maxFrames;
    private final long maxBytes;
    private final long closeGraceMs;
    private final IntConsumer onOverflow;

    /** Guarded by {@code queue}. */
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean pumpScheduled;
    private boolean closing;
    private int closeCode;
    private String closeReason;

    /** I/O thread only. */
    private boolean writing;
    private boolean pumping;
    private boolean closeSent;

    WsConnection(WebSocketChannel channel, int maxFrames, long maxBytes, long closeGraceMs, IntConsumer onOverflow) {
        this.channel = channel;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.closeGraceMs = closeGraceMs;
        this.onOverflow = onOverflow;
    }

    /** Queues a text frame. Returns false when the connection is closing or the frame overflowed the queue. */
    public boolean send(String frame) {
        long size = frame.length();
        synchronized (queue) {
            if (closing) {
                return false;
            }
            if (queue.size() >= maxFrames || queuedBytes + size > maxBytes) {
                overflow();
                return false;
            }
            queue.addLast(frame);
            queuedBytes += size;
            schedulePump();
        }
        return true;
    }

    /** True while the queue is at most half full: history catch-up sends a page only then. */
    public boolean hasRoom() {
        synchronized (queue) {
            return !closing && queue.size() < maxFrames / 2 && queuedBytes < maxBytes / 2;
        }
    }

    /** Sends what is queued, then the close frame. */
    public void close(int code, String reason) {
        synchronized (queue) {
            if (closing) {
                return;
            }
            closing = true;
            closeCode = code;
            closeReason = reason;
            scheduleHardClose();
            schedulePump();
        }
    }

    /**
     * Whatever happens to the close handshake, the socket goes after twice the grace: a client that stopped reading
     * never accepts the write in flight, so the close frame queued behind it would otherwise wait forever.
     */
    private void scheduleHardClose() {
        channel.getIoThread().executeAfter(() -> IoUtils.safeClose(channel), 2 * closeGraceMs, TimeUnit.MILLISECONDS);
    }

    /** Closes with 4008, dropping what is queued: the client reads too slowly to be worth waiting for. */
    public void closeSlowConsumer() {
        synchronized (queue) {
            if (!closing) {
                overflow();
            }
        }
    }

    /** Closes with what is queued dropped: for a client that cannot keep up anyway. */
    private void overflow() {
        // Called with the queue lock held.
        closing = true;
        scheduleHardClose();
        closeCode = io.meshgate.edge.protocol.CloseCode.SLOW_CONSUMER;
        closeReason = "outbound queue overflow: the client reads too slowly";
        queue.clear();
        queuedBytes = 0;
        schedulePump();
        onOverflow.accept(closeCode);
    }

    public boolean isClosing() {
        synchronized (queue) {
            return closing;
        }
    }

    private void schedulePump() {
        if (!pumpScheduled) {
            pumpScheduled = true;
            channel.getIoThread().execute(this::pump);
        }
    }

    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (!writing) {
                String next;
                boolean sendClose;
                synchronized (queue) {
                    pumpScheduled = false;
                    next = queue.pollFirst();
                    if (next != null) {
                        queuedBytes -= next.length();
                    }
                    sendClose = next == null && closing && !closeSent;
                }
                if (next != null) {
                    writing = true;
                    WebSockets.sendText(next, channel, new WebSocketCallback<Void>() {
                        @Override
                        public void complete(WebSocketChannel ch, Void context) {
                            writing = false;
                            pump();
                        }

                        @Override
                        public void onError(WebSocketChannel ch, Void context, Throwable throwable) {
                            writing = false;
                            IoUtils.safeClose(ch);
                        }
                    });
                } else {
                    if (sendClose) {
                        sendCloseFrame();
                    }
                    return;
                }
            }
        } finally {
            pumping = false;
        }
    }

    private void sendCloseFrame() {
        closeSent = true;
        String reason = closeReason.length() > 120 ? closeReason.substring(0, 120) : closeReason;
        // Close reasons are limited to 123 UTF-8 bytes by RFC 6455.
        while (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
            reason = reason.substring(0, reason.length() - 1);
        }
        WebSockets.sendClose(closeCode, reason, channel, null);
        channel.getIoThread().executeAfter(() -> IoUtils.safeClose(channel), closeGraceMs, TimeUnit.MILLISECONDS);
    }

    /** Drops the socket without a close frame (the peer is gone or silent). */
    public void abort() {
        synchronized (queue) {
            closing = true;
            queue.clear();
            queuedBytes = 0;
        }
        channel.getIoThread().execute(() -> IoUtils.safeClose(channel));
    }

    WebSocketChannel channel() {
        return channel;
    }
}

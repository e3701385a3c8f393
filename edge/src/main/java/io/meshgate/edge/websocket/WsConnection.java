package io.meshgate.edge.websocket;

import io.meshgate.edge.protocol.CloseCode;
import io.meshgate.edge.protocol.EncodedMessage;
import io.meshgate.edge.protocol.WsFrame;
import io.undertow.websockets.core.WebSocketChannel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.conduits.ConduitStreamSinkChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * One socket's way out. Finished WebSocket frames wait in a queue bounded by count and bytes (the bytes of the
 * frames themselves, a message frame being a view of the buffer every subscriber shares). On each turn of the
 * socket's I/O thread, everything queued (up to {@link #MAX_BATCH} frames) goes to the socket in one gathering
 * write and one flush, in queue order (what is queued during that write follows in the next); the next batch is taken only once the socket has accepted the last one. So a
 * client that stops reading stops the queue from draining and the bound is reached (close 4008) instead of anything
 * buffering without limit, while a client that reads gets whole bursts in a few system calls.
 *
 * <p>Threads: {@link #send}, {@link #close} and {@link #hasRoom} may be called from any thread; writes happen on the
 * socket's I/O thread only. Every frame the server sends on this socket goes through here (Undertow's channel is
 * used to read), so frames from two writers never interleave.
 */
public final class WsConnection {
    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);
    /** Frames per gathering write: below Linux's IOV_MAX (1024), which the JDK would otherwise split at. */
    static final int MAX_BATCH = 512;
    /** Gathering writes one pump may make before it lets the I/O thread serve its other sockets. */
    static final int WRITES_PER_TURN = 4;

    private final WebSocketChannel channel;
    private final ConduitStreamSinkChannel sink;
    private final int maxFrames;
    private final long maxBytes;
    private final long closeGraceMs;
    private final IntConsumer onOverflow;
    private final WriteMeters meters;

    /** Guarded by {@code queue}. */
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** Bytes queued or in the batch being written, not yet accepted by the socket. */
    private long queuedBytes;
    /** A pump is queued on the I/O thread, or the batch in flight waits for the socket to become writable. */
    private boolean pumpScheduled;
    private boolean closing;
    private int closeCode;
    private String closeReason;
    private boolean closeQueued;

    /** I/O thread only: the batch in flight, {@code batch[batchStart..batchEnd)} not yet fully written. */
    private ByteBuffer[] batch;
    private int batchStart;
    private int batchEnd;
    private boolean batchEndsWithClose;

    /**
     * Counts batches (gathering writes started) and the frames they carried, over every socket of the node: their
     * ratio is how much coalescing saves.
     */
    record WriteMeters(Counter batches, Counter frames) {
        static WriteMeters of(MeterRegistry registry) {
            return new WriteMeters(registry.counter("meshgate.ws.write.batches"),
                    registry.counter("meshgate.ws.write.frames"));
        }
    }

    WsConnection(WebSocketChannel channel, int maxFrames, long maxBytes, long closeGraceMs, WriteMeters meters,
                 IntConsumer onOverflow) {
        this.meters = meters;
        this.channel = channel;
        this.sink = WsHandshake.socketOf(channel).getSinkChannel();
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.closeGraceMs = closeGraceMs;
        this.onOverflow = onOverflow;
        // Undertow's own listener stays first (it suspends writes when it has nothing of its own to write); ours
        // then goes on with a batch the socket did not take whole.
        ChannelListener<? super ConduitStreamSinkChannel> undertows = sink.getWriteListener();
        sink.setWriteListener(ch -> {
            if (undertows != null) {
                undertows.handleEvent(ch);
            }
            if (batch != null) {
                pump();
            }
        });
    }

    /** Queues a text frame. Returns false when the connection is closing or the frame overflowed the queue. */
    public boolean send(String json) {
        return enqueue(WsFrame.text(json));
    }

    /** Queues a view of a message's shared frame; false when closing or the frame overflowed the queue. */
    public boolean send(EncodedMessage message) {
        return enqueue(message.frame());
    }

    private boolean enqueue(ByteBuffer frame) {
        long size = frame.remaining();
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
        // Called with the queue lock held. The batch in flight stays counted until the socket takes it.
        closing = true;
        scheduleHardClose();
        closeCode = CloseCode.SLOW_CONSUMER;
        closeReason = "outbound queue overflow: the client reads too slowly";
        for (ByteBuffer dropped : queue) {
            queuedBytes -= dropped.remaining();
        }
        queue.clear();
        schedulePump();
        onOverflow.accept(closeCode);
    }

    public boolean isClosing() {
        synchronized (queue) {
            return closing;
        }
    }

    /** The client answered or started the close handshake (I/O thread). */
    void onPeerClose(int code) {
        boolean answered;
        synchronized (queue) {
            answered = closeQueued;
        }
        if (answered) {
            IoUtils.safeClose(channel);
        } else {
            close(code == CloseCode.NO_STATUS ? CloseCode.NORMAL : code, "");
        }
    }

    /** A client's ping control frame gets a pong control frame, in order with everything else queued. */
    void onPeerPing(byte[] payload) {
        synchronized (queue) {
            if (!closing) {
                queue.addLast(WsFrame.pong(payload));
                queuedBytes += payload.length + 2;
                schedulePump();
            }
        }
    }

    private void schedulePump() {
        // Called with the queue lock held.
        if (!pumpScheduled) {
            pumpScheduled = true;
            channel.getIoThread().execute(this::pump);
        }
    }

    /**
     * Writes the batch in flight, or a new batch of everything queued, with one gathering write and one flush. When
     * the socket took it all and more was queued meanwhile (acks of a sequencer batch arrive while the write is in
     * the kernel), that goes out at once too, up to {@link #WRITES_PER_TURN} writes; then the I/O thread's other
     * sockets get their turn. Each write carries everything queued when it starts, never one frame per write.
     */
    private void pump() {
        try {
            for (int write = 0; write < WRITES_PER_TURN; write++) {
                if (batch == null && !takeBatch()) {
                    return;
                }
                long written = sink.write(batch, batchStart, batchEnd - batchStart);
                while (batchStart < batchEnd && !batch[batchStart].hasRemaining()) {
                    batch[batchStart++] = null;
                }
                boolean flushed = sink.flush();
                synchronized (queue) {
                    queuedBytes -= written;
                }
                if (batchStart < batchEnd || !flushed) {
                    sink.resumeWrites(); // the write listener pumps again once the socket takes more
                    return;
                }
                batch = null;
                if (batchEndsWithClose) {
                    channel.getIoThread().executeAfter(() -> IoUtils.safeClose(channel), closeGraceMs,
                            TimeUnit.MILLISECONDS);
                    return;
                }
            }
            // Still more: it goes in the next turn, after what the I/O thread has waiting.
            channel.getIoThread().execute(this::pump);
        } catch (IOException | RuntimeException e) {
            LOG.debug("websocket write failed: {}", e.toString());
            IoUtils.safeClose(channel);
        }
    }

    /** Moves up to {@link #MAX_BATCH} queued frames (and the close frame after the last) into the batch. */
    private boolean takeBatch() {
        synchronized (queue) {
            int n = Math.min(queue.size(), MAX_BATCH);
            boolean addClose = n == queue.size() && closing && !closeQueued;
            if (n == 0 && !addClose) {
                pumpScheduled = false;
                return false;
            }
            batch = new ByteBuffer[n + (addClose ? 1 : 0)];
            for (int i = 0; i < n; i++) {
                batch[i] = queue.pollFirst();
            }
            if (addClose) {
                closeQueued = true;
                batch[n] = WsFrame.close(closeCode, closeReasonBytes(closeReason));
                queuedBytes += batch[n].remaining();
            }
            batchStart = 0;
            batchEnd = batch.length;
            meters.batches().increment();
            meters.frames().increment(batch.length);
            batchEndsWithClose = addClose;
            return true;
        }
    }

    /** Close reasons are limited to 123 UTF-8 bytes by RFC 6455. */
    private static String closeReasonBytes(String reason) {
        String r = reason.length() > 120 ? reason.substring(0, 120) : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > 123) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /** Drops the socket without a close frame (the peer is gone or silent). */
    public void abort() {
        synchronized (queue) {
            closing = true;
            queue.clear();
        }
        channel.getIoThread().execute(() -> IoUtils.safeClose(channel));
    }

    WebSocketChannel channel() {
        return channel;
    }
}

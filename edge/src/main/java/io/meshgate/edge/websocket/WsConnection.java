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
 * One socket's way out. Finished WebSocket frames wait in two queues, bounded together by bytes (the bytes of the
 * frames themselves, a message frame being a view of the buffer every subscriber shares) and each by count:
 * <ul>
 *   <li>the <em>delivery</em> queue ({@link #send}): {@code connected}, {@code subscribed}, {@code msg}, {@code gap},
 *       {@code unsubscribed}, the {@code error} that ends a subscription, pings, pongs, {@code move}; in the order
 *       given, because the protocol orders them ({@code subscribed} before the channel's messages, seqs increasing,
 *       nothing of a channel after its {@code unsubscribed});</li>
 *   <li>the <em>reply</em> queue ({@link #sendReply}): {@code ack}, {@code nack} and {@code error} answers to the
 *       client's own requests. The protocol orders none of them against deliveries, so each write takes them first:
 *       a publisher's {@code ack} never waits behind a deep delivery backlog of its own connection.</li>
 * </ul>
 * On a turn of the socket's I/O thread the pump makes <em>one</em> write and one flush of everything queued
 * (replies first, then deliveries, up to {@link #MAX_BATCH} frames and {@link #SCRATCH_BYTES} bytes, copied into the
 * I/O thread's direct buffer). If more is queued it then waits for the
 * selector to report the socket writable again (write readiness, not a task of its own), so the I/O thread reads
 * and writes its other sockets in between: XNIO runs queued tasks until none is left before it selects again, so a
 * pump that queued itself again would keep a busy socket's I/O thread from reading anyone's {@code pub} for as long
 * as that socket had a backlog. The next batch is taken only once the socket has accepted the last one, so a client
 * that stops reading stops the queues from draining and the bound is reached (close 4008) instead of anything
 * buffering without limit, while a client that reads gets whole bursts in a few system calls.
 *
 * <p>Threads: {@link #send}, {@link #sendReply}, {@link #close} and {@link #hasRoom} may be called from any thread;
 * writes happen on the socket's I/O thread only: in a task the first frame after an idle spell queues, shared with
 * the other sockets of the thread that got frames meanwhile ({@link PumpQueue}), then in the socket's write
 * listener. Every frame the server sends on this socket goes through here (Undertow's channel is used to read), so
 * frames from two writers never interleave.
 */
public final class WsConnection {
    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);
    /** Frames taken into one batch: bounds a turn's work and the batch array. */
    static final int MAX_BATCH = 512;
    /** Bytes one write hands the socket at most: a turn's batch of small frames fits; a larger one takes more turns. */
    static final int SCRATCH_BYTES = 128 * 1024;
    /**
     * Each I/O thread's buffer for {@link #writeBatch}, allocated on its first write: one per I/O thread (as many as
     * cores by default), so {@value #SCRATCH_BYTES} bytes of direct memory each, for the node's life.
     */
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SCRATCH_BYTES));

    private final WebSocketChannel channel;
    /** This socket's I/O thread's queue of sockets to pump: a burst of deliveries to many sockets is one task. */
    private final PumpQueue pumps;
    private final ConduitStreamSinkChannel sink;
    private final int maxFrames;
    private final long maxBytes;
    private final long closeGraceMs;
    private final IntConsumer onOverflow;
    private final WriteMeters meters;

    /** Deliveries, in protocol order. Guarded by {@code queue} (the lock of both queues). */
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /**
     * Replies to the client's own requests, written ahead of {@link #queue}. Guarded by {@code queue}. Bounded by
     * {@link #maxFrames} like the deliveries (and by {@link #maxBytes} together with them); in practice it holds
     * little: replies to publishes are bounded by {@link PublishWindow} (the node stops reading a connection while a
     * quarter of {@code maxFrames} of its publishes are unanswered) and every write takes all of them first. Only a
     * client that keeps sending requests and stops reading fills it, and is closed 4008 like a slow subscriber.
     */
    private final ArrayDeque<ByteBuffer> replies = new ArrayDeque<>();
    /** Bytes queued (both queues) or in the batch being written, not yet accepted by the socket. */
    private volatile long queuedBytes;
    /**
     * The delivery queue's size as of its last change, for {@link #hasRoom}: written under the lock of the queues
     * (volatile, so the feed threads' check of room needs no lock: one contended lock per delivery fewer).
     */
    private volatile int deliveriesQueued;
    /**
     * A pump is queued on the I/O thread, or waits in the write listener (the batch in flight waits for the socket to
     * take more, or more is queued for the next turn). While set, new frames need no pump of their own.
     */
    private boolean pumpScheduled;
    private volatile boolean closing;
    private int closeCode;
    private String closeReason;
    private boolean closeQueued;

    /** I/O thread only: the batch in flight, {@code batch[batchStart..batchEnd)} not yet fully written. */
    private ByteBuffer[] batch;
    private int batchStart;
    private int batchEnd;
    private boolean batchEndsWithClose;
    /** I/O thread only: the pump resumed writes and goes on when the write listener runs. */
    private boolean awaitingWritable;

    /**
     * Counts batches (writes started) and the frames they carried, over every socket of the node: their
     * ratio is how much coalescing saves. {@code deferred} counts writes after which more was queued and left for the
     * socket's next turn, so the I/O thread served its other sockets first: it grows with sockets that are fed
     * faster than one write per turn carries.
     */
    record WriteMeters(Counter batches, Counter frames, Counter deferred) {
        static WriteMeters of(MeterRegistry registry) {
            return new WriteMeters(registry.counter("meshgate.ws.write.batches"),
                    registry.counter("meshgate.ws.write.frames"), registry.counter("meshgate.ws.write.deferred"));
        }
    }

    WsConnection(WebSocketChannel channel, PumpQueue pumps, int maxFrames, long maxBytes, long closeGraceMs,
                 WriteMeters meters, IntConsumer onOverflow) {
        this.meters = meters;
        this.pumps = pumps;
        this.channel = channel;
        this.sink = WsHandshake.socketOf(channel).getSinkChannel();
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.closeGraceMs = closeGraceMs;
        this.onOverflow = onOverflow;
        // Undertow's own listener stays first (it suspends writes when it has nothing of its own to write); ours
        // then goes on with a batch the socket did not take whole, or with what was queued after the last write.
        ChannelListener<? super ConduitStreamSinkChannel> undertows = sink.getWriteListener();
        sink.setWriteListener(ch -> {
            if (undertows != null) {
                undertows.handleEvent(ch);
            }
            if (awaitingWritable) {
                awaitingWritable = false;
                pump();
            }
        });
    }

    /**
     * Queues a text frame behind the deliveries already queued. Returns false when the connection is closing or the
     * frame overflowed the queue.
     */
    public boolean send(String json) {
        return enqueue(queue, WsFrame.text(json));
    }

    /** Queues a view of a message's shared frame; false when closing or the frame overflowed the queue. */
    public boolean send(EncodedMessage message) {
        return enqueue(queue, message.frame());
    }

    /**
     * Queues a reply to the client's own request ({@code ack}, {@code nack}, {@code error}): it goes out in the next
     * batch (after the one already in the socket, if any), ahead of every delivery still queued, in order with the
     * other replies. Only for frames the
     * protocol does not order against deliveries; never {@code subscribed} or {@code unsubscribed}. False when
     * closing or the reply overflowed its queue (the connection is then closed 4008).
     */
    public boolean sendReply(String json) {
        return enqueue(replies, WsFrame.text(json));
    }

    private boolean enqueue(ArrayDeque<ByteBuffer> into, ByteBuffer frame) {
        long size = frame.remaining();
        synchronized (queue) {
            if (closing) {
                return false;
            }
            if (into.size() >= maxFrames || queuedBytes + size > maxBytes) {
                overflow();
                return false;
            }
            into.addLast(frame);
            queuedBytes += size;
            deliveriesQueued = queue.size();
            if (into == replies) {
                scheduleReplyPump();
            } else {
                schedulePump();
            }
        }
        return true;
    }

    /**
     * True while the delivery queue is at most half full: history catch-up sends a page only then. Reads without the
     * lock: a pacing hint, never the bound (which {@link #send} checks under the lock), so a value a moment old is as
     * good; it saves the feed thread a lock per delivery that the socket's I/O thread also takes.
     */
    public boolean hasRoom() {
        return !closing && deliveriesQueued < maxFrames / 2 && queuedBytes < maxBytes / 2;
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
        for (ByteBuffer dropped : replies) {
            queuedBytes -= dropped.remaining();
        }
        queue.clear();
        replies.clear();
        deliveriesQueued = 0;
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

    /** A client's ping control frame gets a pong control frame, in order with the deliveries queued (I/O thread). */
    void onPeerPing(byte[] payload) {
        synchronized (queue) {
            if (!closing) {
                queue.addLast(WsFrame.pong(payload));
                queuedBytes += payload.length + 2;
                deliveriesQueued = queue.size();
                schedulePump();
            }
        }
    }

    private void schedulePump() {
        // Called with the queue lock held.
        if (!pumpScheduled) {
            pumpScheduled = true;
            pumps.schedule(this::pump);
        }
    }

    /**
     * A reply was queued: an idle socket is pumped ahead of the thread's fan-out ({@link PumpQueue#scheduleReply});
     * one with a pump pending already sends it first in its next batch. Called with the queue lock held.
     */
    private void scheduleReplyPump() {
        if (!pumpScheduled) {
            pumpScheduled = true;
            pumps.scheduleReply(this::pump);
        }
    }

    /**
     * I/O thread: writes the batch in flight, or a new batch of everything queued (replies first), with one
     * write and one flush; never more than that in one turn. If the socket did not take it all, or more is queued
     * (acks and live batches arrive while the write is in the kernel), the pump resumes writes and goes on from the
     * write listener when the selector next finds the socket writable: after the I/O thread has read and written
     * its other ready sockets, so one socket fed faster than it drains cannot starve them (nor the reading of a
     * publisher's frames). Each write carries everything queued when it starts, never one frame per write.
     */
    private void pump() {
        try {
            if (batch == null && !takeBatch()) {
                return;
            }
            long written = writeBatch();
            while (batchStart < batchEnd && !batch[batchStart].hasRemaining()) {
                batch[batchStart++] = null;
            }
            boolean flushed = sink.flush();
            boolean done = batchStart == batchEnd && flushed;
            boolean idle;
            // One lock per write for the byte count and the "anything more?" check together: feed threads take
            // the same lock for every delivery they queue.
            synchronized (queue) {
                queuedBytes -= written;
                idle = done && !batchEndsWithClose && replies.isEmpty() && queue.isEmpty()
                        && !(closing && !closeQueued);
                if (idle) {
                    pumpScheduled = false;
                }
            }
            if (!done) {
                awaitWritable(); // the socket takes more later
                return;
            }
            batch = null;
            if (batchEndsWithClose) {
                channel.getIoThread().executeAfter(() -> IoUtils.safeClose(channel), closeGraceMs,
                        TimeUnit.MILLISECONDS);
                return;
            }
            if (idle) {
                return;
            }
            // More is queued: it goes in this socket's next turn, after what the I/O thread has waiting.
            meters.deferred().increment();
            awaitWritable();
        } catch (IOException | RuntimeException e) {
            LOG.debug("websocket write failed: {}", e.toString());
            IoUtils.safeClose(channel);
        }
    }

    /**
     * I/O thread: copies the unwritten part of the batch, up to {@link #SCRATCH_BYTES}, into this I/O thread's direct
     * buffer, writes that, and moves the batch's frames on by what the socket took. The frames are heap buffers;
     * handed to the socket as they are, the JDK copies each into a temporary direct buffer of its own, looking one up
     * in a per-thread cache for every frame of every write (a fifth of the node's CPU samples in a 100 x 100 fan-out
     * profile). One copy into one buffer costs the same bytes, one system call and no lookups.
     */
    private long writeBatch() throws IOException {
        ByteBuffer scratch = SCRATCH.get();
        scratch.clear();
        for (int i = batchStart; i < batchEnd && scratch.hasRemaining(); i++) {
            ByteBuffer part = batch[i].duplicate();
            if (part.remaining() > scratch.remaining()) {
                part.limit(part.position() + scratch.remaining());
            }
            scratch.put(part);
        }
        scratch.flip();
        long written = sink.write(scratch);
        long left = written;
        for (int i = batchStart; i < batchEnd && left > 0; i++) {
            ByteBuffer frame = batch[i];
            int taken = (int) Math.min(left, frame.remaining());
            frame.position(frame.position() + taken);
            left -= taken;
        }
        return written;
    }

    /** I/O thread: the write listener pumps again once the selector reports the socket writable. */
    private void awaitWritable() {
        awaitingWritable = true;
        sink.resumeWrites();
    }

    /**
     * Moves up to {@link #MAX_BATCH} queued frames, replies first, then deliveries (and the close frame after the
     * last of both), into the batch.
     */
    private boolean takeBatch() {
        synchronized (queue) {
            int fromReplies = Math.min(replies.size(), MAX_BATCH);
            int fromQueue = Math.min(queue.size(), MAX_BATCH - fromReplies);
            int n = fromReplies + fromQueue;
            boolean addClose = fromReplies == replies.size() && fromQueue == queue.size() && closing
                    && !closeQueued;
            if (n == 0 && !addClose) {
                pumpScheduled = false;
                return false;
            }
            batch = new ByteBuffer[n + (addClose ? 1 : 0)];
            for (int i = 0; i < fromReplies; i++) {
                batch[i] = replies.pollFirst();
            }
            for (int i = fromReplies; i < n; i++) {
                batch[i] = queue.pollFirst();
            }
            deliveriesQueued = queue.size();
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
            deliveriesQueued = 0;
            replies.clear();
        }
        channel.getIoThread().execute(() -> IoUtils.safeClose(channel));
    }

    WebSocketChannel channel() {
        return channel;
    }
}

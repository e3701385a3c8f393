package io.meshgate.chaos.bench;

import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The wire benchmark's one publisher connection: publishes open-loop at a fixed rate, round-robin over the channels,
 * each channel's messages numbered 0, 1, 2, ... across every step (so subscribers check order over the whole run),
 * and, where the server acknowledges publishes, records publish→ack latency from each message's due time.
 *
 * <p>Threads: {@link #publish} runs on the caller's thread; acks are read on one daemon selector thread until
 * {@link #close}.
 */
final class WirePublisher implements WireConnection.Events, AutoCloseable {
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final String PADDING = "x".repeat(48);

    private final WireProtocol protocol;
    private final WireConnection connection;
    private final Selector selector;
    private final Thread reader;
    private final String[] channels;
    private final long[] counts;
    private final AtomicLongArray due;
    private final Recorder ackLatency = new Recorder(MAX_NANOS, 3);
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong nacked = new AtomicLong();
    private volatile String firstNack = "";
    private volatile boolean ready;
    private volatile String failure;
    private volatile boolean closed;
    private long nextId;
    /** Whether every publish gets an answer: Meshgate's ack, or nats-server's PONG to a PING after the PUB. */
    private final boolean answered;

    /**
     * @param natsPing for nats-server, a {@code PING} after each {@code PUB}, its {@code PONG} taken for the ack
     *                 ({@link WireProtocol#publish}); ignored for Meshgate, which acks every publish
     */
    WirePublisher(WireProtocol protocol, int port, String[] channels, int maxMessages, boolean natsPing)
            throws IOException {
        this.protocol = protocol;
        this.answered = protocol == WireProtocol.MESHGATE || natsPing;
        this.channels = channels.clone();
        this.counts = new long[channels.length];
        this.due = new AtomicLongArray(maxMessages);
        this.selector = Selector.open();
        this.connection = new WireConnection(protocol, null, "127.0.0.1", port, this);
        connection.start(selector);
        this.reader = new Thread(this::readLoop, "wire-publisher");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ready && failure == null && System.nanoTime() < deadline) {
            Sleep.millis(10);
        }
        if (!ready) {
            throw new IOException("publisher not ready: " + failure);
        }
    }

    /** Publishes {@code rate × seconds} messages on schedule; returns how many were sent. */
    long publish(int rate, int seconds) throws IOException {
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        long sent = 0;
        for (long i = 0; i < total && failure == null && nextId < due.length(); i++) {
            long when = start + i * 1_000_000_000L / rate;
            long wait = when - System.nanoTime();
            if (wait > 200_000) {
                LockSupport.parkNanos(wait - 100_000);
            }
            int c = (int) (nextId % channels.length);
            long id = nextId++;
            due.set((int) id, when);
            connection.send(protocol.publish(channels[c], id, WireProtocol.payload(counts[c]++, when, PADDING),
                    answered));
            sent++;
        }
        return sent;
    }

    /**
     * Whether each publish gets an answer (Meshgate's ack, nats-server's PONG with {@code natsPing}), so
     * {@link #acked} can catch up with {@link #sentTotal}.
     */
    boolean protocolAcks() {
        return answered;
    }

    long sentTotal() {
        return nextId;
    }

    long acked() {
        return acked.get();
    }

    long nacked() {
        return nacked.get();
    }

    String firstNack() {
        return firstNack;
    }

    String failure() {
        return failure;
    }

    /** Publish→ack latencies since the previous call. */
    org.HdrHistogram.Histogram ackLatency() {
        return ackLatency.getIntervalHistogram();
    }

    @Override
    public void ready(WireConnection c) {
        ready = true;
    }

    @Override
    public void delivered(WireConnection c, long n, long t, boolean inOrder) {
        // the publisher subscribes to nothing
    }

    @Override
    public void acked(long id) {
        if (id >= 0 && id < due.length()) {
            ackLatency.recordValue(Math.max(0, Math.min(System.nanoTime() - due.get((int) id), MAX_NANOS)));
        }
        acked.incrementAndGet();
    }

    @Override
    public void nacked(long id, String frame) {
        if (nacked.getAndIncrement() == 0) {
            firstNack = frame;
        }
    }

    @Override
    public void failed(WireConnection c, String why) {
        failure = why;
    }

    @Override
    public void close() {
        closed = true;
        connection.close();
    }

    private void readLoop() {
        ByteBuffer scratch = ByteBuffer.allocate(1 << 20);
        try {
            while (!closed) {
                selector.select(50);
                for (SelectionKey key : selector.selectedKeys()) {
                    connection.handle(key, scratch);
                }
                selector.selectedKeys().clear();
            }
            selector.close();
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                failure = "reader: " + e;
            }
        }
    }
}

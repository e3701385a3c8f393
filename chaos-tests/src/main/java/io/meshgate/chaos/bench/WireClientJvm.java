package io.meshgate.chaos.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A separate process of lean WebSocket clients for the wire benchmark ({@link WireBench}): subscribers that count
 * and order-check every delivery and record publish→deliver latency, or idle connections that only answer pings.
 * One selector thread does everything, so the process costs about one core at most.
 *
 * <p>Arguments: {@code <protocol> <port> <sources,comma-separated> <idle|sub> <count> <channelPrefix> <perChannel>
 * <firstIndex> <concurrency> <maxSeconds>}. Connection {@code i} binds source address {@code i mod sources} and, as
 * a subscriber, takes channel {@code prefix + ((firstIndex + i) / perChannel)}.
 *
 * <p>Talks on stdio, one line each: it prints {@code progress ...} every second while connecting, then
 * {@code ready <ready> <failed> <first failure>}; stdin {@code stats} prints one {@code stats ...} line (counts since
 * start, latency histogram since the last {@code stats}), {@code close} or the end of stdin exits, and so does
 * {@code maxSeconds}.
 */
public final class WireClientJvm implements WireConnection.Events {
    private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
    /**
     * Attempts per connection before it counts as failed. On a machine busy with other work a handshake can miss the
     * server's 10 s {@code connect} deadline (close 4001) before this process even read the upgrade answer; that
     * says nothing about fan-out, so such a connection is opened again, and the log says how many were.
     */
    private static final int MAX_ATTEMPTS = 3;

    private final Recorder latency = new Recorder(MAX_LATENCY_NANOS, 3);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong outOfOrder = new AtomicLong();
    private final AtomicLong failedAfterReady = new AtomicLong();
    private final AtomicLong readyCount = new AtomicLong();
    private final AtomicLong failedCount = new AtomicLong();
    /** Selector thread only: connections that failed before they were ready, to be opened again. */
    private final java.util.ArrayDeque<WireConnection> retry = new java.util.ArrayDeque<>();
    private long retried;
    private volatile String firstFailure = "";
    private volatile String firstDisorder = "";
    /** Set by the stdin thread, answered by the selector thread (which owns the connections it looks at). */
    private volatile boolean statsRequested;

    private WireClientJvm() {
    }

    public static void main(String[] args) throws IOException {
        WireProtocol protocol = WireProtocol.valueOf(args[0]);
        int port = Integer.parseInt(args[1]);
        String[] sources = args[2].split(",");
        boolean idle = args[3].equals("idle");
        int count = Integer.parseInt(args[4]);
        String prefix = args[5];
        int perChannel = Integer.parseInt(args[6]);
        int firstIndex = Integer.parseInt(args[7]);
        int concurrency = Integer.parseInt(args[8]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[9]));

        WireClientJvm self = new WireClientJvm();
        Thread stdin = new Thread(self::commands, "wire-client-stdin");
        stdin.setDaemon(true);
        stdin.start();
        self.run(protocol, port, sources, idle, count, prefix, perChannel, firstIndex, concurrency, deadline);
        System.exit(0);
    }

    private void run(WireProtocol protocol, int port, String[] sources, boolean idle, int count, String prefix,
                     int perChannel, int firstIndex, int concurrency, long deadline) throws IOException {
        Selector selector = Selector.open();
        ByteBuffer scratch = ByteBuffer.allocate(1 << 20);
        List<WireConnection> all = new ArrayList<>(count);
        int started = 0;
        boolean announced = false;
        long nextProgress = System.nanoTime();
        while (System.nanoTime() < deadline) {
            while (!retry.isEmpty()) {
                WireConnection dead = retry.poll();
                try {
                    WireConnection c = new WireConnection(protocol, dead.channel(), dead.source(), port, this);
                    c.attempt(dead.attempt() + 1);
                    all.add(c);
                    c.start(selector);
                    retried++;
                } catch (IOException e) {
                    failed(null, "open: " + e.getMessage());
                }
            }
            long settled = readyCount.get() + failedCount.get();
            while (started < count && started - settled < concurrency) {
                String channel = idle ? null : prefix + ((firstIndex + started) / perChannel);
                try {
                    WireConnection c = new WireConnection(protocol, channel, sources[started % sources.length], port,
                            this);
                    all.add(c);
                    c.start(selector);
                } catch (IOException e) {
                    failed(null, "open: " + e.getMessage());
                }
                started++;
            }
            selector.select(20);
            for (SelectionKey key : selector.selectedKeys()) {
                ((WireConnection) key.attachment()).handle(key, scratch);
            }
            selector.selectedKeys().clear();
            if (statsRequested) {
                statsRequested = false;
                stats(all, idle);
            }
            if (!announced && readyCount.get() + failedCount.get() >= count) {
                say("ready " + readyCount.get() + " " + failedCount.get() + " " + firstFailure);
                announced = true;
            } else if (!announced && System.nanoTime() >= nextProgress) {
                say("progress started=" + started + " ready=" + readyCount.get() + " failed=" + failedCount.get()
                        + " retried=" + retried);
                nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            }
        }
        all.forEach(WireConnection::close);
    }

    /** Reads commands from stdin until {@code close} or its end, then exits the process. */
    private void commands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("close")) {
                    break;
                }
                if (line.equals("stats")) {
                    statsRequested = true;
                }
            }
        } catch (IOException ignored) {
            // the parent is gone: exit
        }
        Runtime.getRuntime().halt(0);
    }

    /**
     * Prints one {@code stats} line: counts since start, the latency histogram since the last one, and the spread of
     * deliveries over the subscribers that got ready (fewest, most, and how many are more than one behind the most),
     * which tells subscribers stuck behind apart from a uniformly slow stream. Selector thread only.
     */
    private void stats(List<WireConnection> all, boolean idle) {
        Histogram h = latency.getIntervalHistogram();
        ByteBuffer encoded = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int size = h.encodeIntoCompressedByteBuffer(encoded);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (WireConnection c : all) {
            if (!idle && c.wasReady()) {
                min = Math.min(min, c.received());
                max = Math.max(max, c.received());
            }
        }
        long behind = 0;
        for (WireConnection c : all) {
            if (!idle && c.wasReady() && c.received() < max - 1) {
                behind++;
            }
        }
        say("stats " + received.get() + " " + outOfOrder.get() + " " + failedAfterReady.get() + " "
                + readyCount.get() + " " + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(encoded.array(),
                        size))
                + " " + (firstDisorder.isEmpty() ? "-" : firstDisorder) + " " + (min == Long.MAX_VALUE ? 0 : min)
                + " " + max + " " + behind + " " + firstFailure);
    }

    private static synchronized void say(String line) {
        System.out.println(line.replace('\n', ' '));
        System.out.flush();
    }

    @Override
    public void ready(WireConnection c) {
        readyCount.incrementAndGet();
    }

    @Override
    public void delivered(WireConnection c, long n, long t, boolean inOrder) {
        received.incrementAndGet();
        latency.recordValue(Math.max(0, Math.min(System.nanoTime() - t, MAX_LATENCY_NANOS)));
        if (!inOrder && outOfOrder.getAndIncrement() == 0) {
            firstDisorder = c.channel() + ":n=" + n;
        }
    }

    @Override
    public void acked(long id) {
        // subscribers publish nothing
    }

    @Override
    public void nacked(long id, String frame) {
        // subscribers publish nothing
    }

    @Override
    public void failed(WireConnection c, String why) {
        if (c != null && !c.wasReady() && c.attempt() < MAX_ATTEMPTS) {
            retry.add(c);
            return;
        }
        if (c != null && c.wasReady()) {
            failedAfterReady.incrementAndGet();
        } else {
            failedCount.incrementAndGet();
        }
        if (firstFailure.isEmpty()) {
            firstFailure = why.length() > 200 ? why.substring(0, 200) : why;
        }
    }
}

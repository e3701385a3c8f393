package io.meshgate.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The throughput path of the cross-region scenario: {@code channels} channels homed in one region, one subscriber
 * connection per channel in another region and one publisher connection per channel in the home, each keeping
 * {@code window} publishes unanswered (closed loop: a new publish goes out when an ack or nack comes back) for a
 * fixed time. What comes out is the delivery rate across that one link and the ack latency at that load.
 *
 * <p>One publisher connection per channel keeps each connection far below the edge's 1,000 publishes/s limit
 * ({@code window} / ack latency). Latency here is measured at saturation from the actual send time: it shows what
 * a message waits under full load, not the open-loop latency of {@link CrossRegionLatency}.
 *
 * <p>Threads: the first {@code window} publishes of each channel go out from the caller's thread before any answer
 * can come back; every later one from the publisher connection's listener, which the JDK calls one frame at a time.
 */
final class CrossRegionThroughput {
    private static final Logger LOG = LoggerFactory.getLogger(CrossRegionThroughput.class);

    record Params(String publisherRegion, String subscriberRegion, List<String> channels, int window,
                  int durationS, int warmupS, int drainS, int payloadBytes, int connectConcurrency) {
    }

    record Result(String publisherRegion, String subscriberRegion, int channels, int window, int subscribed,
                  int publisherConnections, long connectMillis, long measuredWindowMillis,
                  double deliveredPerSecond, double ackedPerSecond, long published, long acked,
                  Map<String, Long> nacks, long unanswered, long delivered, long outOfOrder, long missingSeqs,
                  long gaps, long connectionsLost, LatencyRecorder.Summary ackLatency,
                  LatencyRecorder.Summary deliverLatency, double cpuCoresUsed, Map<String, Long> serverCounters,
                  List<String> errors) {
    }

    private final Params p;
    private final HttpClient http;
    private final SelfHostedMesh mesh;
    private final String runId;
    private final String pad;

    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LatencyRecorder deliverLatency = new LatencyRecorder();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final LongAdder published = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder steadyAcked = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder steadyDelivered = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder missing = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final Map<String, LongAdder> nacks = new ConcurrentHashMap<>();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong[] next;
    private volatile long steadyFrom = Long.MAX_VALUE;
    private volatile long steadyUntil = Long.MAX_VALUE;
    private volatile long stopAt = Long.MAX_VALUE;

    CrossRegionThroughput(Params params, HttpClient http, SelfHostedMesh mesh, String runId) {
        this.p = params;
        this.http = http;
        this.mesh = mesh;
        this.runId = runId;
        this.pad = "x".repeat(params.payloadBytes());
        this.next = new AtomicLong[params.channels().size()];
        for (int c = 0; c < next.length; c++) {
            next[c] = new AtomicLong();
        }
    }

    Result run() {
        int n = p.channels().size();
        CountDownLatch subscribedLatch = new CountDownLatch(n);
        long[] lastSeq = new long[n]; // slot c written only by subscriber c's listener
        Map<String, Double> countersBefore = MeshCounters.snapshot(mesh);
        long connectStart = System.nanoTime();
        Connector.Opened subs = Connector.open(http, List.of(mesh.wsUrl(p.subscriberRegion())), n,
                p.connectConcurrency(), c -> subscriberHandler(c, lastSeq, subscribedLatch), Duration.ofSeconds(60));
        Connector.Opened pubs = Connector.open(http, List.of(mesh.wsUrl(p.publisherRegion())), n,
                p.connectConcurrency(), c -> (client, frame, now) -> onPublisherFrame(c, client, frame, now),
                Duration.ofSeconds(60));
        errors.addAll(subs.errors());
        errors.addAll(pubs.errors());
        try {
            int subscribed = subscribe(subs, subscribedLatch);
            long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart);
            LOG.info("throughput: {} of {} subscribed in {}, {} publishers in {}, in {} ms; window {} per channel"
                    + " for {} s", subscribed, n, p.subscriberRegion(), pubs.connected(), p.publisherRegion(),
                    connectMillis, p.window(), p.durationS());
            long start = System.nanoTime();
            long cpuAtStart = MachineInfo.processCpuNanos();
            steadyFrom = start + TimeUnit.SECONDS.toNanos(p.warmupS());
            stopAt = start + TimeUnit.SECONDS.toNanos(p.durationS());
            for (int c = 0; c < n; c++) {
                BenchClient publisher = pubs.clients()[c];
                if (publisher != null && subs.clients()[c] != null) {
                    for (int w = 0; w < p.window(); w++) {
                        publishNext(c, publisher);
                    }
                }
            }
            while (System.nanoTime() < stopAt) {
                Sleep.millis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(stopAt - System.nanoTime())));
            }
            steadyUntil = System.nanoTime();
            double cores = MachineInfo.coresUsed(cpuAtStart, MachineInfo.processCpuNanos(), steadyUntil - start);
            long windowNanos = Math.max(1, steadyUntil - steadyFrom);
            drain();
            long lost = subs.live().stream().filter(c -> c.closed().isDone()).count()
                    + pubs.live().stream().filter(c -> c.closed().isDone()).count();
            LOG.info("throughput: published {}, acked {}, nacked {}, unanswered {}, delivered {}", published.sum(),
                    acked.sum(), nackCounts(), sentAt.size(), delivered.sum());
            return new Result(p.publisherRegion(), p.subscriberRegion(), n, p.window(), subscribed, pubs.connected(),
                    connectMillis, TimeUnit.NANOSECONDS.toMillis(windowNanos),
                    perSecond(steadyDelivered.sum(), windowNanos), perSecond(steadyAcked.sum(), windowNanos),
                    published.sum(), acked.sum(), nackCounts(), sentAt.size(), delivered.sum(), outOfOrder.sum(),
                    missing.sum(), gaps.sum(), lost, ackLatency.summary(), deliverLatency.summary(), cores,
                    MeshCounters.delta(countersBefore, MeshCounters.snapshot(mesh)), List.copyOf(errors));
        } finally {
            stopAt = 0;
            subs.abortAll();
            pubs.abortAll();
        }
    }

    private int subscribe(Connector.Opened subs, CountDownLatch subscribedLatch) {
        return subs.subscribeAll(c -> p.channels().get(c), subscribedLatch, errors);
    }

    /** Sends channel c's next message unless the time is up; the send time is kept until its ack or nack. */
    private void publishNext(int c, BenchClient publisher) {
        long now = System.nanoTime();
        if (now >= stopAt) {
            return;
        }
        String id = runId + "-xr" + c + "-" + next[c].getAndIncrement();
        sentAt.put(id, now);
        published.increment();
        publisher.send("{\"op\":\"pub\",\"ch\":\"" + p.channels().get(c) + "\",\"id\":\"" + id
                + "\",\"data\":{\"t\":" + now + ",\"p\":\"" + pad + "\"}}");
    }

    private void onPublisherFrame(int c, BenchClient client, JsonNode frame, long now) {
        String op = frame.path("op").asText();
        if (!op.equals("ack") && !op.equals("nack")) {
            note("publisher", frame);
            return;
        }
        Long sent = sentAt.remove(frame.path("id").asText());
        if (op.equals("ack")) {
            acked.increment();
            if (now >= steadyFrom && now <= steadyUntil) {
                steadyAcked.increment();
            }
            if (sent != null && sent >= steadyFrom) {
                ackLatency.record(now - sent);
            }
        } else {
            nacks.computeIfAbsent(frame.path("code").asText("?"), k -> new LongAdder()).increment();
            note("publisher", frame);
        }
        publishNext(c, client);
    }

    private BenchClient.FrameHandler subscriberHandler(int c, long[] lastSeq, CountDownLatch subscribedLatch) {
        return (client, frame, now) -> {
            switch (frame.path("op").asText()) {
                case "msg" -> {
                    long seq = frame.path("seq").asLong();
                    if (seq <= lastSeq[c]) {
                        outOfOrder.increment();
                    } else {
                        if (seq > lastSeq[c] + 1) {
                            missing.add(seq - lastSeq[c] - 1);
                        }
                        lastSeq[c] = seq;
                    }
                    delivered.increment();
                    if (now >= steadyFrom && now <= steadyUntil) {
                        steadyDelivered.increment();
                    }
                    long t = frame.path("data").path("t").asLong(Long.MIN_VALUE);
                    if (t != Long.MIN_VALUE && t >= steadyFrom) {
                        deliverLatency.record(now - t);
                    }
                }
                case "subscribed" -> {
                    lastSeq[c] = frame.path("seq").asLong();
                    subscribedLatch.countDown();
                }
                case "gap" -> gaps.increment();
                default -> note("subscriber", frame);
            }
        };
    }

    /** Until every publish is answered and every acked message delivered, or no progress for 5 s. */
    private void drain() {
        String stopped = DrainWait.await(p.drainS(),
                () -> sentAt.isEmpty() && delivered.sum() >= acked.sum(),
                () -> delivered.sum() + acked.sum() + nacks.values().stream().mapToLong(LongAdder::sum).sum());
        if (stopped != null) {
            errors.add(stopped + " (" + sentAt.size() + " unanswered)");
        }
    }

    private Map<String, Long> nackCounts() {
        Map<String, Long> out = new TreeMap<>();
        nacks.forEach((code, n) -> out.put(code, n.sum()));
        return out;
    }

    private static double perSecond(long count, long nanos) {
        return Math.round(count * 1e9 / nanos * 10) / 10.0;
    }

    private void note(String who, JsonNode frame) {
        if (errors.size() < 20) {
            errors.add(who + ": " + frame);
        }
    }
}

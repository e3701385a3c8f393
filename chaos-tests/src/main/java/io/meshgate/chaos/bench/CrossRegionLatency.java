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
import java.util.concurrent.atomic.LongAdder;

/**
 * One latency path of the cross-region scenario: one publisher connection in {@code publisherRegion} publishes
 * open loop at a fixed rate to one channel homed elsewhere or here, and one subscriber connection in each of
 * {@code subscriberRegions} records publish-to-deliver latency.
 *
 * <p>As in {@link PublishDeliverScenario}, {@code data.t} is the {@code System.nanoTime()} at which the message was
 * due, and everything runs in this JVM, so arrival minus {@code t} needs no clock sync and includes any lateness of
 * the publisher. The message's {@code ts} (wall-clock ms, set by the home's sequencer, in this same JVM) splits each
 * latency into publish-to-sequenced and sequenced-to-delivered, to millisecond resolution.
 *
 * <p>Threads: the publishing schedule runs on the caller's thread; each connection's frames arrive on its listener
 * (one at a time per connection), so per-subscriber state needs no lock, and shared counters are adders.
 */
final class CrossRegionLatency {
    private static final Logger LOG = LoggerFactory.getLogger(CrossRegionLatency.class);

    /**
     * @param floorMs    the emulated delay no delivery on this path can beat, see {@link CrossRegionScenario}
     * @param oneWayMs   emulated one-way latency publisher region to home to subscriber region
     */
    record Path(String subscriberRegion, double oneWayMs, double floorMs) {
    }

    record Params(String name, String publisherRegion, String home, String channel, List<Path> paths,
                  double ackFloorMs, double ratePerSecond, int durationS, int warmupS, int drainS,
                  int payloadBytes) {
    }

    /** One subscriber region's figures; latencies in ms. */
    record Delivery(String subscriberRegion, double emulatedOneWayMs, double emulatedFloorMs,
                    LatencyRecorder.Summary latency, LatencyRecorder.Summary minusOneWay,
                    LatencyRecorder.Summary minusFloor, LatencyRecorder.Summary publishToSequenced,
                    LatencyRecorder.Summary sequencedToDelivered, long delivered, long expected, long outOfOrder,
                    long missingSeqs, long gaps, boolean connectionLost) {
    }

    record Result(String name, String publisherRegion, String home, String channel, double ratePerSecond,
                  long published, long acked, Map<String, Long> nacks, double emulatedAckFloorMs,
                  LatencyRecorder.Summary ackLatency, LatencyRecorder.Summary ackMinusFloor,
                  List<Delivery> deliveries, long measuredFromMessage, double cpuCoresUsed,
                  Map<String, Long> serverCounters, List<String> errors) {
    }

    private final Params p;
    private final HttpClient http;
    private final SelfHostedMesh mesh;
    private final String runId;
    /** Wall clock in ms = wallBaseMs + (nanoTime - nanoBase) / 1e6: ties {@code ts} to the nanoTime stamps. */
    private final long nanoBase = System.nanoTime();
    private final long wallBaseMs = System.currentTimeMillis();

    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LongAdder acked = new LongAdder();
    private final Map<String, LongAdder> nacks = new ConcurrentHashMap<>();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long[] dueNanos = new long[0];

    CrossRegionLatency(Params params, HttpClient http, SelfHostedMesh mesh, String runId) {
        this.p = params;
        this.http = http;
        this.mesh = mesh;
        this.runId = runId;
    }

    /** One subscriber connection's state; written only on its listener thread. */
    private final class Subscriber {
        final Path path;
        final LatencyRecorder latency = new LatencyRecorder();
        final LatencyRecorder toSequenced = new LatencyRecorder();
        final LatencyRecorder fromSequenced = new LatencyRecorder();
        final LongAdder delivered = new LongAdder();
        final LongAdder outOfOrder = new LongAdder();
        final LongAdder missing = new LongAdder();
        final LongAdder gaps = new LongAdder();
        final CountDownLatch subscribed = new CountDownLatch(1);
        long lastSeq;
        BenchClient client;

        Subscriber(Path path) {
            this.path = path;
        }

        void onFrame(BenchClient c, JsonNode frame, long now) {
            switch (frame.path("op").asText()) {
                case "msg" -> onMessage(frame, now);
                case "subscribed" -> {
                    lastSeq = frame.path("seq").asLong();
                    subscribed.countDown();
                }
                case "gap" -> gaps.increment();
                default -> note(path.subscriberRegion() + " subscriber", frame);
            }
        }

        private void onMessage(JsonNode frame, long now) {
            long seq = frame.path("seq").asLong();
            if (seq <= lastSeq) {
                outOfOrder.increment();
            } else {
                if (seq > lastSeq + 1) {
                    missing.add(seq - lastSeq - 1);
                }
                lastSeq = seq;
            }
            delivered.increment();
            long t = frame.path("data").path("t").asLong(Long.MIN_VALUE);
            if (t == Long.MIN_VALUE || t < measureFrom) {
                return;
            }
            latency.record(now - t);
            long ts = frame.path("ts").asLong(0);
            if (ts > 0) {
                // ts has whole-ms resolution: each part is within about 1 ms; below zero is recorded as zero.
                toSequenced.record(Math.round((ts - wallMs(t)) * 1e6));
                fromSequenced.record(Math.round((wallMs(now) - ts) * 1e6));
            }
        }
    }

    Result run() {
        long total = Math.round(p.ratePerSecond() * p.durationS());
        dueNanos = new long[(int) total];
        List<Subscriber> subscribers = new ArrayList<>();
        BenchClient publisher = null;
        Map<String, Double> countersBefore = MeshCounters.snapshot(mesh);
        try {
            for (Path path : p.paths()) {
                Subscriber s = new Subscriber(path);
                s.client = BenchClient.connect(http, mesh.wsUrl(path.subscriberRegion()), s::onFrame,
                        Duration.ofSeconds(15)).join();
                s.client.send("{\"op\":\"sub\",\"ch\":\"" + p.channel() + "\"}");
                subscribers.add(s);
            }
            for (Subscriber s : subscribers) {
                if (!s.subscribed.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(p.name() + ": no subscribed in " + s.path.subscriberRegion()
                            + " within 30 s");
                }
            }
            publisher = BenchClient.connect(http, mesh.wsUrl(p.publisherRegion()), this::onPublisherFrame,
                    Duration.ofSeconds(15)).join();
            LOG.info("{}: channel {} (home {}), publisher in {}, subscribers in {}; {} messages at {}/s", p.name(),
                    p.channel(), p.home(), p.publisherRegion(),
                    subscribers.stream().map(s -> s.path.subscriberRegion()).toList(), total, p.ratePerSecond());
            long cpuBefore = MachineInfo.processCpuNanos();
            long publishStart = System.nanoTime();
            long sent = publish(publisher, total);
            double cores = MachineInfo.coresUsed(cpuBefore, MachineInfo.processCpuNanos(),
                    System.nanoTime() - publishStart);
            drain(sent, subscribers);
            LOG.info("{}: published {}, acked {}, nacked {}, delivered {}", p.name(), sent, acked.sum(),
                    nackCounts(), subscribers.stream().map(s -> s.path.subscriberRegion() + "="
                            + s.delivered.sum()).toList());
            return result(sent, subscribers, cores, MeshCounters.delta(countersBefore, MeshCounters.snapshot(mesh)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            subscribers.forEach(s -> {
                if (s.client != null) {
                    s.client.abort();
                }
            });
            if (publisher != null) {
                publisher.abort();
            }
        }
    }

    /** The {@link OpenLoop} schedule to the one channel. */
    private long publish(BenchClient publisher, long total) {
        String pad = "x".repeat(p.payloadBytes());
        OpenLoop schedule = new OpenLoop(p.ratePerSecond(), p.durationS());
        measureFrom = schedule.start() + TimeUnit.SECONDS.toNanos(p.warmupS());
        return schedule.run(total, errors, (i, due) -> {
            dueNanos[i] = due;
            publisher.send("{\"op\":\"pub\",\"ch\":\"" + p.channel() + "\",\"id\":\"" + runId + "-" + p.name() + "-"
                    + i + "\",\"data\":{\"t\":" + due + ",\"p\":\"" + pad + "\"}}");
        });
    }

    /** Until every publish is answered and every subscriber has every acked message, or no progress for 5 s. */
    private void drain(long sent, List<Subscriber> subscribers) {
        String stopped = DrainWait.await(p.drainS(),
                () -> answered() >= sent && subscribers.stream().allMatch(s -> s.delivered.sum() >= acked.sum()),
                () -> answered() + subscribers.stream().mapToLong(s -> s.delivered.sum()).sum());
        if (stopped != null) {
            errors.add(stopped);
        }
    }

    private long answered() {
        return acked.sum() + nacks.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private void onPublisherFrame(BenchClient client, JsonNode frame, long now) {
        switch (frame.path("op").asText()) {
            case "ack" -> {
                acked.increment();
                String id = frame.path("id").asText();
                try {
                    int i = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
                    if (dueNanos[i] >= measureFrom) {
                        ackLatency.record(now - dueNanos[i]);
                    }
                } catch (RuntimeException ignored) {
                    // not one of ours
                }
            }
            case "nack" -> {
                nacks.computeIfAbsent(frame.path("code").asText("?"), k -> new LongAdder()).increment();
                note("publisher", frame);
            }
            default -> note("publisher", frame);
        }
    }

    private Result result(long sent, List<Subscriber> subscribers, double cores, Map<String, Long> counters) {
        List<Delivery> deliveries = new ArrayList<>();
        for (Subscriber s : subscribers) {
            LatencyRecorder.Summary latency = s.latency.summary();
            deliveries.add(new Delivery(s.path.subscriberRegion(), s.path.oneWayMs(), s.path.floorMs(), latency,
                    latency.minus(s.path.oneWayMs()), latency.minus(s.path.floorMs()), s.toSequenced.summary(),
                    s.fromSequenced.summary(), s.delivered.sum(), acked.sum(), s.outOfOrder.sum(), s.missing.sum(),
                    s.gaps.sum(), s.client.closed().isDone()));
        }
        LatencyRecorder.Summary ack = ackLatency.summary();
        return new Result(p.name(), p.publisherRegion(), p.home(), p.channel(), p.ratePerSecond(), sent,
                acked.sum(), nackCounts(), p.ackFloorMs(), ack, ack.minus(p.ackFloorMs()), deliveries,
                Math.round(p.ratePerSecond() * p.warmupS()), cores, counters, List.copyOf(errors));
    }

    private Map<String, Long> nackCounts() {
        Map<String, Long> out = new TreeMap<>();
        nacks.forEach((code, n) -> out.put(code, n.sum()));
        return out;
    }

    private double wallMs(long nanos) {
        return wallBaseMs + (nanos - nanoBase) / 1e6;
    }

    private void note(String who, JsonNode frame) {
        if (errors.size() < 20) {
            errors.add(who + ": " + frame);
        }
    }
}

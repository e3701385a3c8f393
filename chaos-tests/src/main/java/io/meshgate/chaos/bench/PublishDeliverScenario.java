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
 * Scenarios (a) and (b): {@code channels} channels with {@code subscribersPerChannel} subscriber connections each,
 * and a few publisher connections that publish at a fixed rate (open loop: the schedule never waits for acks) for
 * a fixed time, round-robin over the channels.
 *
 * <p>Each message's data carries {@code t}, the {@code System.nanoTime()} at which it was due to be sent.
 * Publishers and subscribers live in this process, so a subscriber's arrival time minus {@code t} is the
 * publish-to-deliver latency, with no clock skew, and including any time the message waited behind a late
 * publisher (no coordinated omission). Only messages due after the warm-up are measured.
 */
final class PublishDeliverScenario {
    private static final Logger LOG = LoggerFactory.getLogger(PublishDeliverScenario.class);

    record Params(String name, String title, int channels, int subscribersPerChannel, double ratePerSecond,
                  int durationS, int warmupS, int drainS, int publishers, int payloadBytes, int connectConcurrency) {
    }

    /** Everything measured; rates per second, latencies in ms. */
    record Result(String name, String title, int channels, int subscribersPerChannel, int subscriberConnections,
                  int subscribed, int publisherConnections, long connectMillis, double offeredRatePerSecond,
                  double achievedPublishRatePerSecond, long published, long acked, Map<String, Long> nacks,
                  long expectedDeliveries, long delivered, double deliveredFraction,
                  double deliveriesPerSecond, double expectedDeliveriesPerSecond, long measuredWindowMillis,
                  long outOfOrder, long missingSeqs, long gaps, long connectionsLost,
                  LatencyRecorder.Summary latency, LatencyRecorder.Summary ackLatency, List<String> errors) {
    }

    private final Params p;
    private final HttpClient http;
    private final List<String> urls;
    private final String runId;

    private final LatencyRecorder latency = new LatencyRecorder();
    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder steadyDelivered = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder missing = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder expected = new LongAdder();
    private final Map<String, LongAdder> nacks = new ConcurrentHashMap<>();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> subscribersOf = new ConcurrentHashMap<>();
    /** Messages due from here on are measured; deliveries arriving from here to {@link #steadyUntil} are counted. */
    private volatile long steadyFrom = Long.MAX_VALUE;
    private volatile long steadyUntil = Long.MAX_VALUE;
    private volatile long[] dueNanos = new long[0];

    PublishDeliverScenario(Params params, HttpClient http, List<String> urls, String runId) {
        this.p = params;
        this.http = http;
        this.urls = urls;
        this.runId = runId;
    }

    Result run() {
        long total = Math.round(p.ratePerSecond() * p.durationS());
        if (total > 20_000_000) {
            throw new IllegalArgumentException(p.name() + ": rate x duration is " + total
                    + " messages; keep it under 20,000,000");
        }
        dueNanos = new long[(int) total];
        String[] channels = new String[p.channels()];
        for (int c = 0; c < channels.length; c++) {
            channels[c] = "bench." + runId + "." + p.name() + "." + c;
        }
        int subscriberCount = p.channels() * p.subscribersPerChannel();
        CountDownLatch subscribedLatch = new CountDownLatch(subscriberCount);
        long[] lastSeq = new long[subscriberCount]; // slot i written only by subscriber i's listener

        LOG.info("{}: opening {} subscriber connections over {} node(s)", p.name(), subscriberCount, urls.size());
        long connectStart = System.nanoTime();
        Connector.Opened subs = Connector.open(http, urls, subscriberCount, p.connectConcurrency(),
                i -> subscriberHandler(i, lastSeq, subscribedLatch), Duration.ofSeconds(60 + subscriberCount / 50));
        // Publishers start on the node after the first subscriber's, so most deliveries cross nodes too.
        List<String> pubUrls = new ArrayList<>(urls);
        Collections.rotate(pubUrls, -1);
        Connector.Opened pubs = Connector.open(http, pubUrls, p.publishers(), p.connectConcurrency(),
                i -> this::onPublisherFrame, Duration.ofSeconds(30));
        errors.addAll(subs.errors());
        errors.addAll(pubs.errors());
        try {
            int subscribed = subscribe(subs, channels, subscribedLatch);
            long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart);
            LOG.info("{}: {} of {} subscribed, {} publisher(s), in {} ms", p.name(), subscribed, subscriberCount,
                    pubs.connected(), connectMillis);
            List<BenchClient> publishers = pubs.live();
            if (publishers.isEmpty()) {
                throw new IllegalStateException(p.name() + ": no publisher could connect: " + pubs.errors());
            }
            // Only channels with a subscriber: publishing where nobody listens would only inflate the figures.
            List<String> targets = new ArrayList<>();
            for (String channel : channels) {
                if (subscribersOf.containsKey(channel)) {
                    targets.add(channel);
                }
            }
            if (targets.isEmpty()) {
                throw new IllegalStateException(p.name() + ": no subscriber could connect: " + subs.errors());
            }

            Publishing publishing = publish(publishers, targets, total);
            long drainStart = System.nanoTime();
            drain(publishing.sent());
            LOG.info("{}: published {}, acked {}, delivered {} of {} expected; drained in {} ms", p.name(),
                    publishing.sent(), acked.sum(), delivered.sum(), expected.sum(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart));
            long lost = subs.live().stream().filter(c -> c.closed().isDone()).count()
                    + publishers.stream().filter(c -> c.closed().isDone()).count();
            // Round-robin over the channels that have subscribers: a message reaches subscribed/targets of them.
            double offeredDeliveries = p.ratePerSecond() * subscribed / targets.size();
            return result(subscriberCount, subscribed, publishers.size(), connectMillis, publishing,
                    offeredDeliveries, lost);
        } finally {
            subs.abortAll();
            pubs.abortAll();
        }
    }

    /** Sends {@code sub} on every open subscriber connection; returns how many got {@code subscribed}. */
    private int subscribe(Connector.Opened subs, String[] channels, CountDownLatch subscribedLatch) {
        BenchClient[] clients = subs.clients();
        for (int i = 0; i < clients.length; i++) {
            if (clients[i] != null) {
                subscribersOf.merge(channels[i / p.subscribersPerChannel()], 1, Integer::sum);
            }
        }
        return subs.subscribeAll(i -> channels[i / p.subscribersPerChannel()], subscribedLatch, errors);
    }

    private Result result(int subscriberCount, int subscribed, int publishers, long connectMillis,
                          Publishing publishing, double offeredDeliveries, long lost) {
        double windowS = publishing.steadyNanos() / 1e9;
        Map<String, Long> nackCounts = new TreeMap<>();
        nacks.forEach((code, n) -> nackCounts.put(code, n.sum()));
        long expectedSum = expected.sum();
        return new Result(p.name(), p.title(), p.channels(), p.subscribersPerChannel(), subscriberCount, subscribed,
                publishers, connectMillis, p.ratePerSecond(),
                round(publishing.sent() / (publishing.totalNanos() / 1e9)), publishing.sent(), acked.sum(),
                nackCounts, expectedSum, delivered.sum(),
                expectedSum == 0 ? 0 : round4((double) delivered.sum() / expectedSum),
                windowS <= 0 ? 0 : round(steadyDelivered.sum() / windowS), round(offeredDeliveries),
                TimeUnit.NANOSECONDS.toMillis(publishing.steadyNanos()), outOfOrder.sum(), missing.sum(),
                gaps.sum(), lost, latency.summary(), ackLatency.summary(), List.copyOf(errors));
    }

    private record Publishing(long sent, long totalNanos, long steadyNanos) {
    }

    /** Publishes {@code total} messages on the {@link OpenLoop} schedule, round-robin over publishers and channels. */
    private Publishing publish(List<BenchClient> publishers, List<String> targets, long total) {
        String pad = "x".repeat(p.payloadBytes());
        OpenLoop schedule = new OpenLoop(p.ratePerSecond(), p.durationS());
        long start = schedule.start();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(p.warmupS());
        steadyFrom = measureFrom;
        LOG.info("{}: publishing {} messages at {}/s to {} channel(s) for {} s ({} s warm-up)", p.name(), total,
                p.ratePerSecond(), targets.size(), p.durationS(), p.warmupS());
        long sent = schedule.run(total, errors, (i, due) -> {
            dueNanos[i] = due;
            String channel = targets.get(i % targets.size());
            publishers.get(i % publishers.size()).send("{\"op\":\"pub\",\"ch\":\"" + channel + "\",\"id\":\""
                    + runId + "-" + i + "\",\"data\":{\"t\":" + due + ",\"p\":\"" + pad + "\"}}");
        });
        long end = System.nanoTime();
        steadyUntil = end; // deliveries after this are still measured for latency, not counted for the rate
        return new Publishing(sent, Math.max(1, end - start), Math.max(0, end - measureFrom));
    }

    /** Waits until every publish is answered and every expected delivery arrived, or no progress for 5 s. */
    private void drain(long sent) {
        String stopped = DrainWait.await(p.drainS(),
                () -> answered() >= sent && delivered.sum() >= expected.sum(),
                () -> delivered.sum() + answered());
        if (stopped != null) {
            errors.add(stopped);
        }
    }

    private long answered() {
        return acked.sum() + nacks.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private BenchClient.FrameHandler subscriberHandler(int index, long[] lastSeq, CountDownLatch subscribedLatch) {
        return (client, frame, now) -> {
            switch (frame.path("op").asText()) {
                case "msg" -> onMessage(index, lastSeq, frame, now);
                case "subscribed" -> {
                    lastSeq[index] = frame.path("seq").asLong();
                    subscribedLatch.countDown();
                }
                case "gap" -> gaps.increment();
                default -> note(frame);
            }
        };
    }

    private void onMessage(int index, long[] lastSeq, JsonNode frame, long now) {
        long seq = frame.path("seq").asLong();
        long last = lastSeq[index];
        if (seq <= last) {
            outOfOrder.increment();
        } else {
            if (seq > last + 1) {
                missing.add(seq - last - 1);
            }
            lastSeq[index] = seq;
        }
        delivered.increment();
        long from = steadyFrom;
        if (now >= from && now <= steadyUntil) {
            steadyDelivered.increment();
        }
        long t = frame.path("data").path("t").asLong(Long.MIN_VALUE);
        if (t != Long.MIN_VALUE && t >= from) {
            latency.record(now - t);
        }
    }

    private void onPublisherFrame(BenchClient client, JsonNode frame, long now) {
        switch (frame.path("op").asText()) {
            case "ack" -> {
                acked.increment();
                Integer subscribers = subscribersOf.get(frame.path("ch").asText());
                expected.add(subscribers == null ? 0 : subscribers);
                String id = frame.path("id").asText();
                int dash = id.lastIndexOf('-');
                try {
                    int i = Integer.parseInt(id.substring(dash + 1));
                    ackLatency.record(now - dueNanos[i]);
                } catch (RuntimeException ignored) {
                    // not one of ours
                }
            }
            case "nack" -> nacks.computeIfAbsent(frame.path("code").asText("?"), k -> new LongAdder()).increment();
            default -> note(frame);
        }
    }

    private void note(JsonNode frame) {
        if (errors.size() < 20) {
            errors.add("unexpected frame: " + frame);
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}

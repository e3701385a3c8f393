package io.meshgate.chaos.bench;

import io.meshgate.client.ConnectionState;
import io.meshgate.client.Message;
import io.meshgate.client.MeshgateClient;
import io.meshgate.client.PublishRefusedException;
import io.meshgate.client.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scenario (f): publish to deliver through the Java client ({@code io.meshgate.client}), across a drain. Subscriber
 * clients (one channel each) and publisher clients are spread over the region's nodes by their seed; the publishers
 * publish open loop at a fixed rate through {@link MeshgateClient#publish}, and halfway through, the first node is
 * drained, so every client on it follows the {@code move} to the other node while messages flow.
 *
 * <p>What the application sees is what is measured: latency from the due time ({@code data.t}, one clock) to the
 * subscriber's callback on the client's event thread, so the client's own work (dedup, the hand-over to the event
 * thread) is in it; and the stream checks (out of order or repeated, missing, gaps) are made on what the callbacks
 * received. Threads: each subscriber's callbacks run on its client's event thread, one at a time, so its slot of
 * {@code lastSeq} has one writer.
 */
final class ClientScenario {
    private static final Logger LOG = LoggerFactory.getLogger(ClientScenario.class);
    static final String TITLE = "(f) through the Java client, across a drain";
    static final String METHOD = "(f) client: subscriber and publisher clients (io.meshgate.client, one shared"
            + " HttpClient) seeded round-robin with the region's nodes; publishers publish open loop at a fixed rate"
            + " through MeshgateClient.publish (its outbox retries across the move); halfway through, node 1 is"
            + " drained (move + close 4100). Latency = the subscriber callback's nanoTime - data.t (the due time);"
            + " the stream checks are made on what the callbacks received; reconnect = DISCONNECTED (4100) to the next"
            + " CONNECTED of the same client.";

    record Params(int subscribers, int channels, double ratePerSecond, int publishers, boolean drain, int durationS,
                  int warmupS, int drainS, int payloadBytes) {
    }

    record Result(String title, int subscriberClients, int subscribed, int channels, int publisherClients,
                  String drained, double offeredRatePerSecond, long published, long acked, Map<String, Long> refused,
                  long expectedDeliveries, long delivered, long outOfOrderOrRepeated, long missingSeqs, long gaps,
                  long clientsMoved, LatencyRecorder.Summary reconnect, LatencyRecorder.Summary latency,
                  LatencyRecorder.Summary ackLatency, List<String> errors) {
    }

    private final Params p;
    private final Target target;
    private final String runId;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LatencyRecorder reconnect = new LatencyRecorder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder missing = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder expected = new LongAdder();
    private final LongAdder moved = new LongAdder();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile long measureFrom = Long.MAX_VALUE;

    ClientScenario(Params params, Target target, String runId) {
        this.p = params;
        this.target = target;
        this.runId = runId;
    }

    Result run() {
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "bench-client-http");
            t.setDaemon(true);
            return t;
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<String> bases = target.wsUrls().stream().map(Target::httpBase).toList();
        List<MeshgateClient> clients = new ArrayList<>();
        try {
            String[] channels = new String[p.channels()];
            for (int c = 0; c < channels.length; c++) {
                channels[c] = "bench." + runId + ".client." + c;
            }
            AtomicLongArray lastSeq = new AtomicLongArray(p.subscribers());
            List<CompletableFuture<?>> subscribed = new ArrayList<>();
            for (int i = 0; i < p.subscribers(); i++) {
                MeshgateClient client = client(http, bases.get(i % bases.size()), "bench-s" + i);
                clients.add(client);
                int index = i;
                Subscription sub = client.subscribe(channels[i % channels.length],
                        m -> onMessage(index, lastSeq, m));
                subscribed.add(sub.subscribed().thenAccept(start -> lastSeq.set(index, start.seq())));
                client.connect();
            }
            int ready = await(subscribed, 60);
            LOG.info("client: {} of {} subscriber clients subscribed", ready, p.subscribers());
            List<MeshgateClient> publishers = new ArrayList<>();
            List<CompletableFuture<?>> connected = new ArrayList<>();
            for (int i = 0; i < p.publishers(); i++) {
                // Publishers start on the node after the first subscriber's, so most deliveries cross nodes too.
                MeshgateClient client = client(http, bases.get((i + 1) % bases.size()), "bench-p" + i);
                clients.add(client);
                publishers.add(client);
                connected.add(client.connect());
            }
            await(connected, 30);
            long total = Math.round(p.ratePerSecond() * p.durationS());
            long sent = publish(publishers, channels, total);
            drain(sent);
            LOG.info("client: published {}, acked {}, delivered {} of {}, {} clients moved", sent, acked.sum(),
                    delivered.sum(), expected.sum(), moved.sum());
            Map<String, Long> refusedCounts = new TreeMap<>();
            refused.forEach((code, n) -> refusedCounts.put(code, n.sum()));
            return new Result(TITLE, p.subscribers(), ready, p.channels(), p.publishers(),
                    drainedNode(), p.ratePerSecond(), sent, acked.sum(), refusedCounts, expected.sum(),
                    delivered.sum(), outOfOrder.sum(), missing.sum(), gaps.sum(), moved.sum(), reconnect.summary(),
                    latency.summary(), ackLatency.summary(), List.copyOf(errors));
        } finally {
            clients.forEach(MeshgateClient::close);
            pool.shutdownNow();
        }
    }

    private MeshgateClient client(HttpClient http, String seed, String id) {
        MeshgateClient client = MeshgateClient.builder(URI.create(seed)).httpClient(http).clientId(id).build();
        AtomicLong movedAt = new AtomicLong(-1);
        // State events of one client arrive on its event thread, one at a time.
        client.onState(e -> {
            if (e.state() == ConnectionState.DISCONNECTED && e.closeCode() == 4100) {
                moved.increment();
                movedAt.set(System.nanoTime());
            } else if (e.state() == ConnectionState.CONNECTED && movedAt.get() >= 0) {
                reconnect.record(System.nanoTime() - movedAt.getAndSet(-1));
            }
        });
        client.onGap(g -> gaps.increment());
        return client;
    }

    private void onMessage(int index, AtomicLongArray lastSeq, Message m) {
        long now = System.nanoTime();
        long last = lastSeq.get(index);
        if (m.seq() <= last) {
            outOfOrder.increment();
        } else {
            if (m.seq() > last + 1) {
                missing.add(m.seq() - last - 1);
            }
            lastSeq.set(index, m.seq());
        }
        delivered.increment();
        long t = m.data().path("t").asLong(Long.MIN_VALUE);
        if (t != Long.MIN_VALUE && t >= measureFrom) {
            latency.record(now - t);
        }
    }

    /** The {@link OpenLoop} schedule through the clients' {@code publish}; the drain starts when half are out. */
    private long publish(List<MeshgateClient> publishers, String[] channels, long total) {
        String pad = "x".repeat(p.payloadBytes());
        OpenLoop schedule = new OpenLoop(p.ratePerSecond(), p.durationS());
        measureFrom = schedule.start() + TimeUnit.SECONDS.toNanos(p.warmupS());
        return schedule.run(total, errors, (i, due) -> {
            if (i == total / 2 && p.drain()) {
                startDrain();
            }
            int c = i % channels.length;
            // Subscriber i listens to channel i % channels: this many listen to channel c.
            int subscribers = p.subscribers() / channels.length + (c < p.subscribers() % channels.length ? 1 : 0);
            publishers.get(i % publishers.size()).publish(channels[c], Map.of("t", due, "p", pad))
                    .whenComplete((ack, error) -> {
                        if (ack != null) {
                            acked.increment();
                            expected.add(subscribers);
                            ackLatency.record(System.nanoTime() - due);
                        } else {
                            String code = error instanceof PublishRefusedException r ? r.code() : String.valueOf(error);
                            refused.computeIfAbsent(code, k -> new LongAdder()).increment();
                        }
                    });
        });
    }

    private void startDrain() {
        if (target instanceof SelfHostedRegion region) {
            LOG.info("client: draining node 1 of the region");
            region.drain(0, "benchmark (f)");
        } else {
            errors.add("drain skipped: the region is not self-hosted (the load generator drains only its own nodes)");
        }
    }

    private String drainedNode() {
        return p.drain() && target instanceof SelfHostedRegion ? "node 1 of " + target.wsUrls().size() : "none";
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
        return acked.sum() + refused.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** How many of {@code futures} completed normally within {@code seconds}. */
    private int await(List<CompletableFuture<?>> futures, int seconds) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            errors.add("not every client was ready after " + seconds + " s: " + e);
        }
        return (int) futures.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
    }

    static void append(StringBuilder md, Result r) {
        md.append("## ").append(r.title()).append("\n\n| | |\n|---|---|\n");
        md.append("| clients | ").append(r.subscribed()).append(" / ").append(r.subscriberClients())
                .append(" subscribers subscribed over ").append(r.channels()).append(" channels, ")
                .append(r.publisherClients()).append(" publishers |\n");
        md.append("| drained | ").append(r.drained()).append("; clients moved: ").append(r.clientsMoved())
                .append(", reconnect p50 / p99 / max (ms): ").append(r.reconnect().p50Ms()).append(" / ")
                .append(r.reconnect().p99Ms()).append(" / ").append(r.reconnect().maxMs()).append(" |\n");
        md.append("| **latency p50 / p99 / p99.9 (ms)** (samples) | **").append(r.latency().p50Ms()).append(" / ")
                .append(r.latency().p99Ms()).append(" / ").append(r.latency().p999Ms()).append("** (")
                .append(r.latency().count()).append(") |\n");
        md.append("| ack latency p50 / p99 / p99.9 (ms) | ").append(r.ackLatency().p50Ms()).append(" / ")
                .append(r.ackLatency().p99Ms()).append(" / ").append(r.ackLatency().p999Ms()).append(" |\n");
        md.append("| published (").append(String.format(Locale.ROOT, "%.0f", r.offeredRatePerSecond()))
                .append(" msg/s) / acked / refused | ").append(r.published()).append(" / ").append(r.acked())
                .append(" / ").append(r.refused().isEmpty() ? "0" : r.refused().toString()).append(" |\n");
        md.append("| **delivered / expected** | **").append(r.delivered()).append(" / ")
                .append(r.expectedDeliveries()).append("** |\n");
        md.append("| out of order or repeated / missing seqs / gaps | ").append(r.outOfOrderOrRepeated())
                .append(" / ").append(r.missingSeqs()).append(" / ").append(r.gaps()).append(" |\n");
        md.append("| errors | ").append(r.errors().isEmpty() ? "none" : String.join("; ", r.errors())
                .replace("|", "\\|")).append(" |\n\n");
    }
}

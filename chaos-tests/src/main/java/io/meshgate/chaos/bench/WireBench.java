package io.meshgate.chaos.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The wire benchmark (issue 10): what users compare, in one run, against separate server processes, with lean NIO
 * clients ({@link WireClientJvm}) in separate processes so the load generator is not the bottleneck.
 *
 * <ul>
 *   <li>Saturation search, per server and workload (1 channel × 1,000 subscribers; 100 channels × 100): steps of
 *       rising offered rate, each {@code --step-s} of open-loop publishing on one connection; a step passes when
 *       every message reached every subscriber in order within {@code --drain-s} after publishing ended, with no
 *       connection lost and (Meshgate) every publish acked. The search stops at the first failing step; the figure
 *       is the highest passing one. A failing step is followed by a settle phase ({@code --settle-s}) that tells
 *       late deliveries from lost ones; an unmeasured warm-up ({@code --warmup-s}) at the first rate comes before
 *       the steps. Per step: publish→deliver and publish→ack p50/p99, server CPU per delivery.</li>
 *   <li>Servers: one {@code gateway.jar node} ({@code chaos-tests/bench-node.yaml}: insecure auth, publish limits
 *       off; JVM flags {@code --node-jvm}), and {@code nats-server} over WebSocket when it is on the PATH (skipped,
 *       and the report says so, when it is not), and the ceiling: {@link CeilingServer}, bare Undertow writing one
 *       pre-encoded frame to every subscriber, with the node's JVM flags. Each workload gets a freshly started
 *       server, so its peak RSS ({@code VmHWM}) is that workload's.</li>
 *   <li>Idle connections: {@code --idle N} WebSocket connections to one fresh node, spread over 127.0.0.x source
 *       addresses (the node admits 1,024 per address by default), then the node's RSS and heap after a full GC
 *       per connection; the same connections to nats-server (RSS only) when it is listed and on the PATH.</li>
 * </ul>
 *
 * <p>Writes {@code chaos-tests/target/bench/wire-results.json} and {@code .md} and prints the Markdown. Every loop
 * is bounded: steps by count, drains by {@code --drain-s}, connects by a deadline, the whole run by
 * {@code --max-minutes}. Threads: main only, plus the helpers' reader threads.
 */
public final class WireBench {
    static {
        System.setProperty("logback.configurationFile",
                System.getProperty("logback.configurationFile", "bench-logback.xml"));
    }

    private static final Logger LOG = LoggerFactory.getLogger(WireBench.class);
    private static final int GATEWAY_PORT = 18181;
    private static final int NATS_PORT = 14280;
    private static final int CEILING_PORT = 18191;

    /** One workload: channels × subscribers each, and the offered rates (msg/s over all channels) to try. */
    record Workload(String name, int channels, int perChannel, int[] rates) {
        int subscribers() {
            return channels * perChannel;
        }
    }

    private final Map<String, String> flags;
    private final Path root;
    private final Path out;
    private final int stepS;
    private final int drainS;
    private final int settleS;
    private final int warmupS;

    private WireBench(Map<String, String> flags, Path root) {
        this.flags = flags;
        this.root = root;
        this.out = root.resolve(flags.getOrDefault("out", "chaos-tests/target/bench"));
        this.stepS = Integer.parseInt(flags.getOrDefault("step-s", "5"));
        this.drainS = Integer.parseInt(flags.getOrDefault("drain-s", "3"));
        this.settleS = Integer.parseInt(flags.getOrDefault("settle-s", "60"));
        this.warmupS = Integer.parseInt(flags.getOrDefault("warmup-s", "5"));
    }

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(List.of(argv));
        String extra = System.getProperty("bench.args", "").trim();
        if (!extra.isEmpty()) {
            args.addAll(List.of(extra.split("\\s+")));
        }
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.size(); i += 2) {
            if (!args.get(i).startsWith("--")) {
                System.err.println("usage: WireBench [--servers meshgate,nats,ceiling] [--workloads fanout,channels] "
                        + "[--step-s 5] [--drain-s 3] [--settle-s 60] [--warmup-s 5] [--max-steps 10] [--idle 100000] "
                        + "[--fanout-shape 1x1000] [--channels-shape 100x100] [--fanout-rates R,...] "
                        + "[--channels-rates R,...] [--out chaos-tests/target/bench] "
                        + "[--node-jvm -Xms256m,-Xmx256m,...] [--idle-node-jvm -Xmx1g,...] [--nats-ping-acks false] "
                        + "[--max-minutes 30]");
                System.exit(2);
            }
            flags.put(args.get(i).substring(2), args.get(i + 1));
        }
        int maxMinutes = Integer.parseInt(flags.getOrDefault("max-minutes", "30"));
        LoadGenerator.startWatchdog(maxMinutes);
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve("chaos-tests"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IllegalStateException("run from the repository (no chaos-tests/ above " + Path.of("")
                    .toAbsolutePath() + ")");
        }
        try {
            System.exit(new WireBench(flags, root).run());
        } catch (IllegalArgumentException e) {
            System.err.println("bad flag: " + e.getMessage());
            System.exit(2);
        }
    }

    private int run() throws Exception {
        Files.createDirectories(out);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started", Instant.now().toString());
        report.put("flags", flags);
        Map<String, Object> machine = MachineInfo.collect();
        report.put("machine", machine);
        List<String> servers = List.of(flags.getOrDefault("servers", "meshgate,nats,ceiling").split(","));
        for (String server : servers) {
            if (!List.of("meshgate", "nats", "ceiling").contains(server)) {
                throw new IllegalArgumentException("--servers: unknown server " + server + " (meshgate, nats, ceiling)");
            }
        }
        List<String> workloadNames = List.of(flags.getOrDefault("workloads", "fanout,channels").split(","));
        int maxSteps = Integer.parseInt(flags.getOrDefault("max-steps", "10"));
        List<Workload> workloads = new ArrayList<>();
        if (workloadNames.contains("fanout")) {
            workloads.add(workload("fanout", "1x1000",
                    new int[] {50, 100, 200, 400, 700, 1000, 1400, 2000, 2800, 4000}, maxSteps));
        }
        if (workloadNames.contains("channels")) {
            workloads.add(workload("channels", "100x100",
                    new int[] {100, 200, 500, 1000, 2000, 4000, 7000, 10000, 14000, 20000}, maxSteps));
        }
        boolean natsOnPath = onPath("nats-server");
        report.put("natsServer", natsOnPath ? version("nats-server", "--version")
                : "not on the PATH: skipped (Debian: apt-get install nats-server)");
        Map<String, Object> results = new LinkedHashMap<>();
        for (String server : servers) {
            if (server.equals("nats") && !natsOnPath) {
                LOG.warn("nats-server is not on the PATH: its runs are skipped (apt-get install nats-server)");
                continue;
            }
            for (Workload w : workloads) {
                String key = server + " / " + w.name();
                LOG.info("=== {} ===", key);
                try {
                    results.put(key, saturation(server, w));
                } catch (Exception e) {
                    LOG.error("{} failed", key, e);
                    results.put(key, Map.of("failed", String.valueOf(e)));
                }
            }
        }
        report.put("saturation", results);
        int idle = Integer.parseInt(flags.getOrDefault("idle", "100000"));
        if (idle > 0) {
            List<String> idleServers = servers.contains("nats") && natsOnPath
                    ? List.of("meshgate", "nats") : List.of("meshgate");
            for (String server : idleServers) {
                // Report keys as before: "idle" for the node, "idleNats" for nats-server.
                String key = server.equals("nats") ? "idleNats" : "idle";
                LOG.info("=== {} idle connections on {} ===", idle, server);
                try {
                    report.put(key, idle(server, idle));
                } catch (Exception e) {
                    LOG.error("idle on {} failed", server, e);
                    report.put(key, Map.of("failed", String.valueOf(e)));
                }
            }
        }
        machine.put("loadAverageAtEnd", MachineInfo.loadAverage());
        report.put("ended", Instant.now().toString());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(out.resolve("wire-results.json").toFile(), report);
        String md = WireReport.markdown(report);
        Files.writeString(out.resolve("wire-results.md"), md);
        System.out.println(md);
        LOG.info("results: {} and .json", out.resolve("wire-results.md"));
        return 0;
    }

    private Map<String, Object> saturation(String server, Workload w) throws Exception {
        WireProtocol protocol = server.equals("nats") ? WireProtocol.NATS : WireProtocol.MESHGATE;
        int maxMessages = IntStream.of(w.rates()).map(r -> r * stepS).sum() + w.rates()[0] * warmupS + 1;
        String prefix = "bench" + Long.toHexString(System.nanoTime() & 0xffffff) + "-";
        String[] channels = IntStream.range(0, w.channels()).mapToObj(i -> prefix + i).toArray(String[]::new);
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> steps = new ArrayList<>();
        m.put("subscribers", w.subscribers());
        m.put("clientProcesses", 2);
        m.put("stepSeconds", stepS);
        m.put("drainSeconds", drainS);
        m.put("settleSeconds", settleS);
        m.put("warmupSeconds", warmupS);
        try (WireServer s = startServer(server, w.subscribers() + 2048, nodeJvm());
             WireClients clients = WireClients.start(protocol, s.port(), sources(w.subscribers(), 500), false,
                     w.subscribers(), prefix, w.perChannel(), 2, 30 * 60, out)) {
            m.put("server", describe(s));
            long ready = clients.awaitReady(180);
            if (ready < w.subscribers()) {
                m.put("failed", "only " + ready + " of " + w.subscribers() + " subscribers connected");
                return m;
            }
            try (WirePublisher pub = new WirePublisher(protocol, s.port(), channels, maxMessages,
                    Boolean.parseBoolean(flags.getOrDefault("nats-ping-acks", "false")))) {
                long deliveredBefore = 0;
                if (warmupS > 0) {
                    // Not measured: the node's JIT and first use of every channel, so the first step measures the
                    // same thing as the others. A failing warm-up settles like a step, so no backlog is left.
                    Map<String, Object> warmup = step(s, clients, pub, w, w.rates()[0], warmupS, 0);
                    m.put("warmup", warmup);
                    deliveredBefore = (long) warmup.get("deliveredTotal");
                    LOG.info("{} warm-up at {} msg/s for {} s: {}", server, w.rates()[0], warmupS, warmup);
                }
                int best = 0;
                for (int rate : w.rates()) {
                    Map<String, Object> step = step(s, clients, pub, w, rate, stepS, deliveredBefore);
                    steps.add(step);
                    deliveredBefore = (long) step.get("deliveredTotal");
                    LOG.info("{} {} msg/s: {}", server, rate, step);
                    if (!(boolean) step.get("pass")) {
                        break;
                    }
                    best = rate;
                }
                m.put("saturationRate", best);
                m.put("saturationDeliveriesPerSecond", (long) best * w.perChannel());
            }
            m.put("rssPeakKiB", s.statusKb("VmHWM"));
            m.put("steps", steps);
        }
        return m;
    }

    private Map<String, Object> step(WireServer s, WireClients clients, WirePublisher pub, Workload w, int rate,
                                     int seconds, long deliveredBefore) throws Exception {
        Histogram deliver = clients.stats().latency();
        deliver.reset();
        pub.ackLatency();
        Histogram ack = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Map<String, Object> countersBefore = s.name().startsWith("gateway") ? nodeCounters(s.port()) : Map.of();
        long cpu0 = s.cpuNanos();
        long t0 = System.nanoTime();
        long sent = pub.publish(rate, seconds);
        long publishedAt = System.nanoTime();
        long expected = pub.sentTotal() * w.perChannel();
        long drainEnd = publishedAt + TimeUnit.SECONDS.toNanos(drainS);
        WireClients.Stats st;
        long doneAt;
        while (true) {
            st = clients.stats();
            deliver.add(st.latency());
            ack.add(pub.ackLatency());
            doneAt = System.nanoTime();
            if ((st.received() >= expected && acksDone(pub)) || doneAt > drainEnd || st.lostConnections() > 0) {
                break;
            }
            Sleep.millis(100);
        }
        long cpu1 = s.cpuNanos();
        long delivered = st.received() - deliveredBefore;
        boolean acksDone = acksDone(pub);
        long unacked = pub.sentTotal() - pub.acked() - pub.nacked();
        boolean pass = sent == (long) rate * seconds && st.received() == expected && st.outOfOrder() == 0
                && st.lostConnections() == 0 && pub.nacked() == 0 && acksDone && pub.failure() == null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offeredMsgPerSecond", rate);
        m.put("offeredDeliveriesPerSecond", (long) rate * w.perChannel());
        m.put("pass", pass);
        m.put("published", sent);
        m.put("publishSeconds", secs(publishedAt - t0));
        m.put("delivered", delivered);
        m.put("expected", (long) sent * w.perChannel());
        m.put("deliveredTotal", st.received());
        m.put("deliveriesPerSecond", Math.round(delivered / ((doneAt - t0) / 1e9)));
        m.put("outOfOrder", st.outOfOrder());
        m.put("connectionsLost", st.lostConnections());
        m.put("perSubscriberMinMax", st.minPerSubscriber() + " / " + st.maxPerSubscriber());
        m.put("subscribersBehind", st.subscribersBehind());
        if (pub.protocolAcks()) {
            m.put("unackedAtDrainEnd", unacked);
        }
        m.put("serverCpuSeconds", secs(cpu1 - cpu0));
        m.put("serverCpuMicrosPerDelivery", delivered == 0 ? null
                : Math.round((cpu1 - cpu0) / 1000.0 / delivered * 100) / 100.0);
        m.put("serverRssKiB", s.statusKb("VmRSS"));
        m.put("loadAverage", MachineInfo.loadAverage());
        if (!pass) {
            m.put("why", st.firstProblem() + (pub.failure() != null ? " publisher: " + pub.failure() : "")
                    + (pub.nacked() > 0 ? " nack: " + pub.firstNack() : "")
                    + (st.received() < expected ? " missing " + (expected - st.received()) + " deliveries after "
                    + drainS + " s" : "")
                    + (!acksDone ? " unacked " + unacked + " publishes after " + drainS + " s" : ""));
            if (st.lostConnections() == 0 && (st.received() < expected || !acksDone)) {
                Map<String, Object> settled = settle(clients, pub, expected, publishedAt, st.received(), deliver, ack);
                m.put("settle", settled);
                // The next step counts its own deliveries from here, not from the end of the drain.
                m.put("deliveredTotal", settled.get("receivedTotal"));
            }
        }
        // Latencies of every message of the step, also those that came after the drain (a failing step's settle).
        m.put("deliverP50Ms", ms(deliver.getValueAtPercentile(50)));
        m.put("deliverP99Ms", ms(deliver.getValueAtPercentile(99)));
        if (pub.protocolAcks()) {
            m.put("ackP50Ms", ms(ack.getValueAtPercentile(50)));
            m.put("ackP99Ms", ms(ack.getValueAtPercentile(99)));
            m.put("nacked", pub.nacked());
        }
        if (s.name().startsWith("gateway")) {
            m.put("nodeCounters", delta(countersBefore, nodeCounters(s.port())));
        }
        return m;
    }

    private static boolean acksDone(WirePublisher pub) {
        return !pub.protocolAcks() || pub.acked() + pub.nacked() >= pub.sentTotal();
    }

    /**
     * After a step failed on missing deliveries or acks, tells late from lost: keeps watching for up to
     * {@code --settle-s}, stopping early when everything is in or nothing arrived for 10 s, and adds what arrives to
     * the step's latencies. What is still missing then never came (subscribers stuck, messages lost); what came is
     * the backlog the drain did not wait for. The next step starts after this, so it does not inherit the backlog.
     */
    private Map<String, Object> settle(WireClients clients, WirePublisher pub, long expected, long publishedAt,
                                       long receivedAtDrainEnd, Histogram deliver, Histogram ack)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(settleS);
        long last = receivedAtDrainEnd;
        long lastAnswered = pub.acked() + pub.nacked();
        long lastProgress = System.nanoTime();
        WireClients.Stats st = clients.stats();
        deliver.add(st.latency());
        ack.add(pub.ackLatency());
        long now = System.nanoTime();
        while (now < end && now - lastProgress < TimeUnit.SECONDS.toNanos(10) && st.lostConnections() == 0
                && !(st.received() >= expected && acksDone(pub))) {
            Sleep.millis(250);
            st = clients.stats();
            deliver.add(st.latency());
            ack.add(pub.ackLatency());
            now = System.nanoTime();
            long answered = pub.acked() + pub.nacked();
            if (st.received() > last || answered > lastAnswered) {
                last = st.received();
                lastAnswered = answered;
                lastProgress = now;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lateDeliveries", st.received() - receivedAtDrainEnd);
        m.put("receivedTotal", st.received());
        m.put("stillMissing", Math.max(0, expected - st.received()));
        m.put("stillUnacked", pub.protocolAcks() ? pub.sentTotal() - pub.acked() - pub.nacked() : 0);
        m.put("lastArrivalAfterPublishS", secs(lastProgress - publishedAt));
        m.put("perSubscriberMinMax", st.minPerSubscriber() + " / " + st.maxPerSubscriber());
        m.put("subscribersBehind", st.subscribersBehind());
        m.put("connectionsLost", st.lostConnections());
        LOG.info("settle: {}", m);
        return m;
    }

    /** {@code after - before} per counter, where it changed. */
    private static Map<String, Object> delta(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> m = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            if (v instanceof Double a) {
                // Gauges (a max, a quantile over the summary's recent window, an in-flight count) are read as they
                // stand at the end of the step; only counters are differenced (a differenced quantile went negative).
                boolean gauge = k.contains("_max") || k.contains("inflight") || k.contains("quantile=");
                double d = a - (before.get(k) instanceof Double b ? b : 0.0);
                if (d != 0 || gauge) {
                    m.put(k, gauge ? a : Math.round(d * 1000) / 1000.0);
                }
            } else {
                m.put(k, v);
            }
        });
        return m;
    }

    /**
     * {@code requested} idle WebSocket connections (Meshgate: {@code connect}; nats-server: {@code CONNECT} and
     * {@code PING}; no subscription) to a freshly started server, and its RSS per connection; for the node also its
     * heap after a full GC per connection (nats-server has no heap to report).
     */
    private Map<String, Object> idle(String server, int requested) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = idleCount(requested, m);
        boolean node = server.equals("meshgate");
        // The heap starts at the node's documented size and may grow to what 100,000 connections need (about 6 KB
        // each). A 1 GB -Xms would show the collector touching a larger young generation for the first time, not
        // the connections: 17.8 KB of RSS per connection against 7.9 KB with 256 MB (2026-12-07, README).
        String nodeJvm = node
                ? flags.getOrDefault("idle-node-jvm", "-Xms256m,-Xmx1g,-XX:MaxDirectMemorySize=64m,-XX:+UseSerialGC")
                : null;
        try (WireServer s = startServer(server, n + 4096, nodeJvm)) {
            RemoteRegion region = node
                    ? new RemoteRegion(List.of("ws://127.0.0.1:" + GATEWAY_PORT + "/v1/ws"), s.pid()) : null;
            m.put("server", describe(s));
            long heap0 = node ? region.usedHeapBytes() : 0;
            long rss0 = s.statusKb("VmRSS");
            try (WireClients clients = WireClients.start(node ? WireProtocol.MESHGATE : WireProtocol.NATS, s.port(),
                    sources(n, 1000), true, n, "idle", 1, 4, 30 * 60, out)) {
                long ready = clients.awaitReady(900);
                Sleep.millis(3000);
                long rss1 = s.statusKb("VmRSS");
                m.put("connected", ready);
                long heap1 = 0;
                if (node) {
                    m.put("nodeConnectionsGauge", region.connections());
                    heap1 = region.usedHeapBytes();
                    m.put("heapBeforeBytes", heap0);
                    m.put("heapAfterBytes", heap1);
                }
                m.put("rssBeforeKiB", rss0);
                m.put("rssAfterKiB", rss1);
                m.put("rssPeakKiB", s.statusKb("VmHWM"));
                if (ready > 0) {
                    if (node) {
                        m.put("heapBytesPerConnection", (heap1 - heap0) / ready);
                    }
                    m.put("rssBytesPerConnection", (rss1 - rss0) * 1024 / ready);
                }
                if (ready < n) {
                    m.put("note", "only " + ready + " of " + n + " connected; see the client logs in " + out);
                }
            }
        }
        return m;
    }

    /**
     * How many idle connections a server can take here: the server needs one descriptor per connection plus its
     * own, and no child may go above this JVM's hard limit. Says so in {@code m} when that caps {@code requested}.
     */
    private static int idleCount(int requested, Map<String, Object> m) {
        m.put("requested", requested);
        long hard = OpenFiles.hardLimit();
        int n = hard > 0 && requested + 4096L > hard ? (int) Math.max(0, hard - 4096) : requested;
        if (n < requested) {
            m.put("cappedTo", n);
            m.put("capReason", "open-files hard limit " + hard + " (ulimit -Hn); raising it needs CAP_SYS_RESOURCE"
                    + " (prlimit: Operation not permitted here), so the server can hold at most about " + n);
            LOG.warn("idle connections capped to {}: {}", n, m.get("capReason"));
        }
        return n;
    }

    private WireServer startServer(String server, int nofile, String nodeJvm) throws IOException {
        if (server.equals("nats")) {
            Path conf = out.resolve("nats-bench.conf");
            Files.writeString(conf, "listen: \"127.0.0.1:14222\"\nwebsocket {\n  listen: \"127.0.0.1:" + NATS_PORT
                    + "\"\n  no_tls: true\n}\n");
            return WireServer.start("nats-server", List.of("nats-server", "-c", conf.toString()), NATS_PORT, nofile,
                    out.resolve("nats-server.log"));
        }
        if (server.equals("ceiling")) {
            // The same JVM flags as the node: the ceiling is the node's stack with the gateway taken out.
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of(nodeJvm.split(",")));
            cmd.addAll(List.of("-Djava.net.preferIPv4Stack=true", "-cp", System.getProperty("java.class.path"),
                    CeilingServer.class.getName(), String.valueOf(CEILING_PORT)));
            return WireServer.start("bare Undertow ceiling", cmd, CEILING_PORT, nofile, out.resolve("ceiling.log"));
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(nodeJvm.split(",")));
        cmd.addAll(List.of("-jar", root.resolve("regions/target/gateway.jar").toString(), "node", "--config",
                root.resolve("chaos-tests/bench-node.yaml").toString(), "--node", "bench-1"));
        return WireServer.start("gateway.jar node", cmd, GATEWAY_PORT, nofile, out.resolve("gateway-node.log"));
    }

    private String nodeJvm() {
        return flags.getOrDefault("node-jvm", "-Xms256m,-Xmx256m,-XX:MaxDirectMemorySize=64m,-XX:+UseSerialGC");
    }

    /** Node counters that explain a failing step (closes by code, slow consumers, nacks, overflows); non-zero only. */
    private static Map<String, Object> nodeCounters(int port) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String body = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(java.time.Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (line.startsWith("meshgate_ws_closed") || line.startsWith("meshgate_feed_slow")
                        || line.startsWith("meshgate_publish_nacks") || line.startsWith("meshgate_feed_pending")
                        || line.startsWith("meshgate_publish_queue_overflow") || line.startsWith("meshgate_feed_messages")
                        || line.startsWith("meshgate_delivery_frames_encoded")
                        || line.startsWith("meshgate_publish_latency_seconds")
                        || line.startsWith("meshgate_publish_batch_size")
                        || line.startsWith("meshgate_ws_write")) {
                    int sp = line.lastIndexOf(' ');
                    double v = Double.parseDouble(line.substring(sp + 1));
                    if (v != 0) {
                        m.put(line.substring(0, sp), v);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            m.put("error", String.valueOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return m;
    }

    private Map<String, Object> describe(WireServer s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("pid", s.pid());
        m.put("port", s.port());
        if (s.name().startsWith("gateway")) {
            m.put("jvm", ProcessHandle.of(s.pid()).flatMap(h -> h.info().arguments())
                    .map(a -> String.join(" ", a)).orElse("?"));
            m.put("config", "chaos-tests/bench-node.yaml");
        }
        return m;
    }

    /** 127.0.0.2, 127.0.0.3, ...: enough source addresses for {@code connections} at {@code perAddress} each. */
    private static List<String> sources(int connections, int perAddress) {
        int count = Math.max(1, (connections + perAddress - 1) / perAddress);
        List<String> s = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            s.add("127.0." + ((i + 2) / 256) + "." + ((i + 2) % 256));
        }
        return s;
    }

    /**
     * A workload of the given kind: its shape ({@code --<kind>-shape CHANNELSxSUBSCRIBERS}, e.g. {@code 20x50} for a
     * smaller reproduction) and rates ({@code --<kind>-rates R1,R2,...}) default to the issue's.
     */
    private Workload workload(String kind, String defaultShape, int[] defaultRates, int maxSteps) {
        String shape = flags.getOrDefault(kind + "-shape", defaultShape);
        String[] cs = shape.split("x");
        if (cs.length != 2) {
            throw new IllegalArgumentException("--" + kind + "-shape must be CHANNELSxSUBSCRIBERS, not " + shape);
        }
        int channels = parse(kind + "-shape", cs[0]);
        int perChannel = parse(kind + "-shape", cs[1]);
        if (channels < 1 || perChannel < 1 || (long) channels * perChannel > 100_000) {
            throw new IllegalArgumentException("--" + kind + "-shape " + shape + ": 1 to 100,000 subscribers");
        }
        int[] rates = flags.containsKey(kind + "-rates")
                ? java.util.Arrays.stream(flags.get(kind + "-rates").split(",")).mapToInt(r -> parse(kind + "-rates", r))
                        .toArray()
                : defaultRates;
        if (java.util.Arrays.stream(rates).anyMatch(r -> r < 1 || r > 100_000)) {
            throw new IllegalArgumentException("--" + kind + "-rates: every rate 1 to 100,000 msg/s");
        }
        return new Workload(String.format("%,d channel%s x %,d subscribers", channels, channels == 1 ? "" : "s",
                perChannel), channels, perChannel, trim(rates, maxSteps));
    }

    private static int parse(String flag, String number) {
        try {
            return Integer.parseInt(number.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + ": not a number: " + number);
        }
    }

    private static int[] trim(int[] rates, int maxSteps) {
        return java.util.Arrays.copyOf(rates, Math.min(rates.length, maxSteps));
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }

    private static String version(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return v;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }

    private static double secs(long nanos) {
        return Math.round(nanos / 1e7) / 100.0;
    }
}

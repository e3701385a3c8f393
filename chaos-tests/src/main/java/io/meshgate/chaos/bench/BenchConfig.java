package io.meshgate.chaos.bench;

import io.meshgate.regions.demo.DemoMesh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load generator's parameters. Defaults are the full benchmark sizes; every flag can shrink them. Counts and
 * times are all bounded: nothing here runs without an end.
 *
 * @param wsUrls               WebSocket URLs of a running region; empty = start a 2-node region in this JVM
 * @param scenarios            which scenarios to run, in this order (of {@link #KNOWN_SCENARIOS})
 * @param fanoutSubscribers    scenario (a): subscribers of the one channel
 * @param fanoutRate           scenario (a): messages per second published to that channel
 * @param channels             scenario (b): channels, one subscriber each
 * @param channelsRate         scenario (b): messages per second published in total, round-robin over the channels
 * @param durationS            publishing time of (a) and (b), warm-up included
 * @param warmupS              first seconds of publishing whose messages are delivered but not measured
 * @param drainS               after publishing, the longest wait for outstanding acks and deliveries
 * @param publishers           publishing connections (a connection may publish 1,000 messages per second)
 * @param payloadBytes         padding added to each message's data (besides the timestamp)
 * @param idleConnections      scenario (c): idle connections held open while the server heap is measured
 * @param idleClientXmx        heap of the separate client JVM that holds the idle connections
 * @param connectConcurrency   WebSocket handshakes in flight at once
 * @param serverPid            remote mode: pid of the region's JVM, to force a GC with jcmd before reading its heap
 * @param outDir               where the results are written
 * @param maxMinutes           the whole run is stopped after this long, whatever it is doing
 * @param quietChannels        scenario (d): channels that get one message each while the region heap is measured
 * @param crossRate            scenario (e): messages per second of each latency path (one publisher connection)
 * @param crossChannels        scenario (e): channels of the throughput phase, one subscriber and one publisher each
 * @param crossWindow          scenario (e): unanswered publishes per channel in the throughput phase
 * @param crossRttMs           scenario (e): emulated RTTs us-east/eu-west, eu-west/ap-south, us-east/ap-south
 * @param clientSubscribers    scenario (f): subscriber clients (Java client), one channel each
 * @param clientChannels       scenario (f): channels the subscribers are spread over
 * @param clientRate           scenario (f): messages per second published in total through the client
 * @param clientPublishers     scenario (f): publisher clients
 * @param clientDrain          scenario (f): drain the first node halfway through (self-hosted only)
 */
record BenchConfig(List<String> wsUrls, List<String> scenarios, int fanoutSubscribers, double fanoutRate,
                   int channels, double channelsRate, int durationS, int warmupS, int drainS, int publishers,
                   int payloadBytes, int idleConnections, String idleClientXmx, int connectConcurrency,
                   long serverPid, Path outDir, int maxMinutes, int quietChannels, double crossRate,
                   int crossChannels, int crossWindow, List<Long> crossRttMs, int clientSubscribers,
                   int clientChannels, double clientRate, int clientPublishers, boolean clientDrain) {

    /** What runs without {@code --scenarios}: the one-region figures. */
    static final List<String> DEFAULT_SCENARIOS = List.of("idle", "fanout", "channels", "quiet", "client");
    /** Everything {@code --scenarios} accepts; {@code cross-region} starts its own three regions. */
    static final List<String> KNOWN_SCENARIOS = List.of("idle", "fanout", "channels", "quiet", "client",
            "cross-region");
    /** Below the edge's per-connection publish limit (1,000/s) with room for the limiter's window edges. */
    static final double MAX_RATE_PER_PUBLISHER = 800;

    static final String USAGE = """
            io.meshgate.chaos.bench.LoadGenerator [flags]
              --ws URL[,URL...]          a running region's WebSocket URLs (default: start a 2-node region in this JVM)
              --scenarios LIST           idle,fanout,channels,quiet,client,cross-region (default: the first
                                         five, in that order; cross-region only when named)
              --quiet-channels N         (d) channels with one message each, heap per quiet channel (100000)
              --fanout-subscribers N     (a) subscribers of one channel (default 1000)
              --fanout-rate R            (a) messages/s published to it (default 50)
              --channels N               (b) channels with one subscriber each (default 1000)
              --channels-rate R          (b) messages/s published in total, round-robin (default 1000)
              --duration-s S             publishing time of (a) and (b), warm-up included (default 20)
              --warmup-s S               first seconds not measured (default 3)
              --drain-s S                longest wait for outstanding deliveries after publishing (default 15)
              --publishers N             publishing connections (default 4)
              --payload-bytes N          padding in each message's data (default 64)
              --idle-connections N       (c) idle connections (default 10000; capped by ulimit -n)
              --idle-client-xmx SIZE     heap of the JVM holding the idle clients (default 2g)
              --connect-concurrency N    handshakes in flight at once (default 200)
              --server-pid PID           remote mode: jcmd PID GC.run before each heap reading
              --out DIR                  results directory (default: bench-results at the repository root)
              --max-minutes M            hard stop for the whole run (default 30)
              --cross-rate R             (e) messages/s of each cross-region latency path (default 200)
              --cross-channels N         (e) channels of the cross-region throughput phase (default 100)
              --cross-window W           (e) unanswered publishes per channel in that phase (default 64)
              --cross-rtt-ms A,B,C       (e) emulated RTTs us-east/eu-west, eu-west/ap-south, us-east/ap-south
                                         (default 70,90,150)
              --client-subscribers N     (f) subscriber clients of the Java client, one channel each (default 100)
              --client-channels N        (f) channels they are spread over (default 10)
              --client-rate R            (f) messages/s published through the client in total (default 200)
              --client-publishers N      (f) publisher clients (default 4)
              --client-drain yes|no      (f) drain node 1 halfway through, self-hosted only (default yes)
            (e) runs three regions in this JVM and needs no --ws; --duration-s, --warmup-s and --drain-s apply to
            each of its three phases.
            Extra flags may also come from the system property bench.args (whitespace-separated).""";

    static BenchConfig parse(String[] argv, Path defaultOut) {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        String extra = System.getProperty("bench.args", "").trim();
        if (!extra.isEmpty()) {
            args.addAll(Arrays.asList(extra.split("\\s+")));
        }
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (flag.isBlank()) {
                continue;
            }
            if (flag.equals("--help") || flag.equals("-h")) {
                throw new IllegalArgumentException("usage");
            }
            if (!flag.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + flag);
            }
            String name = flag.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            flags.put(name, value);
        }
        Flags f = new Flags(flags);
        List<String> ws = f.list("ws");
        for (String url : ws) {
            if (!url.startsWith("ws://") && !url.startsWith("wss://")) {
                throw new IllegalArgumentException("--ws must be ws:// or wss:// URLs, got " + url);
            }
            Target.requireLoopback(url);
        }
        List<String> scenarios = f.has("scenarios") ? f.list("scenarios") : DEFAULT_SCENARIOS;
        for (String s : scenarios) {
            if (!KNOWN_SCENARIOS.contains(s)) {
                throw new IllegalArgumentException("--scenarios: unknown scenario " + s + "; known: "
                        + KNOWN_SCENARIOS);
            }
        }
        if (!ws.isEmpty() && scenarios.contains("cross-region")) {
            throw new IllegalArgumentException("--scenarios cross-region starts its own three regions in this JVM;"
                    + " it cannot run against --ws (run it in a separate invocation without --ws)");
        }
        BenchConfig config = new BenchConfig(ws, scenarios,
                f.positiveInt("fanout-subscribers", 1000), f.positiveDouble("fanout-rate", 50),
                f.positiveInt("channels", 1000), f.positiveDouble("channels-rate", 1000),
                f.positiveInt("duration-s", 20), f.nonNegativeInt("warmup-s", 3), f.positiveInt("drain-s", 15),
                f.positiveInt("publishers", 4), f.nonNegativeInt("payload-bytes", 64),
                f.positiveInt("idle-connections", 10_000), f.string("idle-client-xmx", "2g"),
                f.positiveInt("connect-concurrency", 200), f.has("server-pid") ? f.positiveInt("server-pid", 0) : 0,
                Path.of(f.string("out", defaultOut.toString())).toAbsolutePath().normalize(), f.positiveInt("max-minutes", 30),
                f.positiveInt("quiet-channels", 100_000), f.positiveDouble("cross-rate", 200),
                f.positiveInt("cross-channels", 100), f.positiveInt("cross-window", 64),
                rtts(f.list("cross-rtt-ms")), f.positiveInt("client-subscribers", 100),
                f.positiveInt("client-channels", 10), f.positiveDouble("client-rate", 200),
                f.positiveInt("client-publishers", 4), f.yesNo("client-drain", true));
        f.rejectUnknown();
        if (config.clientRate / config.clientPublishers > MAX_RATE_PER_PUBLISHER) {
            throw new IllegalArgumentException("--client-rate: each publisher client has one connection, which may"
                    + " publish 1,000 messages/s; raise --client-publishers to at least "
                    + (int) Math.ceil(config.clientRate / MAX_RATE_PER_PUBLISHER));
        }
        if (config.warmupS >= config.durationS) {
            throw new IllegalArgumentException("--warmup-s (" + config.warmupS + ") must be less than --duration-s ("
                    + config.durationS + ")");
        }
        double perPublisher = Math.max(config.fanoutRate, config.channelsRate) / config.publishers;
        if (perPublisher > MAX_RATE_PER_PUBLISHER) {
            throw new IllegalArgumentException("a publishing connection may publish 1,000 messages/s (the edge's"
                    + " default limit); " + perPublisher + "/s each is too close: raise --publishers to at least "
                    + (int) Math.ceil(Math.max(config.fanoutRate, config.channelsRate) / MAX_RATE_PER_PUBLISHER));
        }
        if (config.crossRate > MAX_RATE_PER_PUBLISHER) {
            throw new IllegalArgumentException("--cross-rate: each latency path publishes on one connection, which"
                    + " may publish 1,000 messages/s (the edge's default limit); keep it at most "
                    + (int) MAX_RATE_PER_PUBLISHER);
        }
        if (config.crossWindow > 64) {
            // One connection per channel may publish 1,000/s; an ack takes at least the 70 ms RTT by default.
            throw new IllegalArgumentException("--cross-window must be at most 64 (a connection may publish 1,000"
                    + " messages/s and each channel has one), got " + config.crossWindow);
        }
        if (!config.idleClientXmx.matches("\\d+[kKmMgG]?")) {
            throw new IllegalArgumentException("--idle-client-xmx must look like 512m or 2g, got "
                    + config.idleClientXmx);
        }
        return config;
    }

    /** Three RTTs in ms, or the demo's 70,90,150 when none are given. */
    private static List<Long> rtts(List<String> given) {
        if (given.isEmpty()) {
            return Arrays.stream(DemoMesh.DEFAULT_RTT_MS).boxed().toList();
        }
        if (given.size() != 3) {
            throw new IllegalArgumentException("--cross-rtt-ms takes three RTTs in ms (us-east/eu-west,"
                    + " eu-west/ap-south, us-east/ap-south), e.g. 70,90,150; got " + given);
        }
        List<Long> out = new ArrayList<>();
        for (String v : given) {
            try {
                long ms = Long.parseLong(v);
                if (ms < 0 || ms > 10_000) {
                    throw new NumberFormatException();
                }
                out.add(ms);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--cross-rtt-ms: each RTT must be 0 to 10000 ms, got " + v);
            }
        }
        return List.copyOf(out);
    }

    long[] crossRttArray() {
        return crossRttMs.stream().mapToLong(Long::longValue).toArray();
    }

    boolean selfHosted() {
        return wsUrls.isEmpty();
    }

    /** The parameters as written to the report. */
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ws", selfHosted() ? "self-hosted 2-node region in the load generator's JVM" : wsUrls);
        m.put("scenarios", scenarios);
        m.put("fanoutSubscribers", fanoutSubscribers);
        m.put("fanoutRatePerSecond", fanoutRate);
        m.put("channels", channels);
        m.put("channelsRatePerSecond", channelsRate);
        m.put("durationSeconds", durationS);
        m.put("warmupSeconds", warmupS);
        m.put("drainSeconds", drainS);
        m.put("publishers", publishers);
        m.put("payloadBytes", payloadBytes);
        m.put("idleConnections", idleConnections);
        m.put("idleClientXmx", idleClientXmx);
        m.put("connectConcurrency", connectConcurrency);
        m.put("serverPid", serverPid == 0 ? null : serverPid);
        m.put("maxMinutes", maxMinutes);
        m.put("quietChannels", quietChannels);
        if (scenarios.contains("client")) {
            m.put("clientSubscribers", clientSubscribers);
            m.put("clientChannels", clientChannels);
            m.put("clientRatePerSecond", clientRate);
            m.put("clientPublishers", clientPublishers);
            m.put("clientDrain", clientDrain);
        }
        if (scenarios.contains("cross-region")) {
            m.put("crossRatePerSecond", crossRate);
            m.put("crossChannels", crossChannels);
            m.put("crossWindow", crossWindow);
            m.put("crossRttMs", crossRttMs);
        }
        return m;
    }

    /** Reads flags by name, remembering which were used so leftovers can be reported as unknown. */
    private static final class Flags {
        private final Map<String, String> values;
        private final java.util.Set<String> used = new java.util.HashSet<>();

        Flags(Map<String, String> values) {
            this.values = values;
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String string(String name, String fallback) {
            used.add(name);
            String v = values.get(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        List<String> list(String name) {
            String v = string(name, "");
            List<String> out = new ArrayList<>();
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return List.copyOf(out);
        }

        int positiveInt(String name, int fallback) {
            int v = nonNegativeInt(name, fallback);
            if (v < 1) {
                throw new IllegalArgumentException("--" + name + " must be at least 1, got " + v);
            }
            return v;
        }

        int nonNegativeInt(String name, int fallback) {
            String v = string(name, Integer.toString(fallback)).replace("_", "").replace(",", "");
            try {
                int n = Integer.parseInt(v);
                if (n < 0) {
                    throw new IllegalArgumentException("--" + name + " must not be negative, got " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a whole number, got " + v);
            }
        }

        double positiveDouble(String name, double fallback) {
            String v = string(name, Double.toString(fallback));
            try {
                double d = Double.parseDouble(v);
                if (!(d > 0) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("--" + name + " must be a positive number, got " + v);
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a number, got " + v);
            }
        }

        boolean yesNo(String name, boolean fallback) {
            String v = string(name, fallback ? "yes" : "no");
            return switch (v) {
                case "yes", "true" -> true;
                case "no", "false" -> false;
                default -> throw new IllegalArgumentException("--" + name + " must be yes or no, got " + v);
            };
        }

        void rejectUnknown() {
            for (String name : values.keySet()) {
                if (!used.contains(name)) {
                    throw new IllegalArgumentException("unknown flag --" + name);
                }
            }
        }
    }
}

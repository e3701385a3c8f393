package io.meshgate.chaos.bench;

import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.relay.mesh.Rendezvous;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario (e), cross-region: the three demo regions in this JVM ({@link SelfHostedMesh}, one node each, emulated
 * RTTs), measured in three phases one after the other, each on fresh channels homed in {@value #HOME}:
 * <ol>
 *   <li>latency, publisher in us-east (the home), subscribers in eu-west and in us-east;</li>
 *   <li>latency, publisher in ap-south (forwarded to the home), subscribers in eu-west and in us-east;</li>
 *   <li>throughput across the us-east to eu-west link: many channels, closed-loop publishers in us-east.</li>
 * </ol>
 *
 * <p>The emulated floor of a path, what no delivery on it can beat whatever the servers do: the publish travels
 * publisher region to home (half that RTT); with {@code durability: region} the home then sends the message to the
 * regions with subscribers (or, if none, the next region in the channel's rendezvous order) and marks it durable,
 * acks and delivers in the home only once one of them answers {@code Stored}. A region other than the home delivers
 * to its subscribers as soon as it has stored the message, so its floor is the one-way path publisher to home to
 * subscriber; the home's own subscribers wait for the round trip to the nearest storing region; an ack waits for
 * that round trip plus the way back to the publisher's region.
 */
final class CrossRegionScenario {
    private static final Logger LOG = LoggerFactory.getLogger(CrossRegionScenario.class);
    static final String HOME = "us-east";
    static final String REMOTE = "eu-west";
    static final String FAR = "ap-south";
    private static final long SETTLE_MS = 2_000;

    /**
     * @param heartbeatRttMsBefore each region's heartbeat RTTs (ms) to its peers just before the first phase
     * @param heartbeatRttMsAfter  the same right after the last phase
     */
    record Result(Map<String, Object> mesh, String durability, Map<String, Object> heartbeatRttMsBefore,
                  Map<String, Object> heartbeatRttMsAfter, List<CrossRegionLatency.Result> latency,
                  CrossRegionThroughput.Result throughput) {
    }

    private final BenchConfig config;
    private final SelfHostedMesh mesh;
    private final HttpClient http;
    private final String runId;

    CrossRegionScenario(BenchConfig config, SelfHostedMesh mesh, HttpClient http, String runId) {
        this.config = config;
        this.mesh = mesh;
        this.http = http;
        this.runId = runId;
    }

    Result run() {
        // A few heartbeats after the links came up, so the RTTs reported are not those of a JVM still starting.
        Sleep.millis(SETTLE_MS);
        Map<String, Object> rttBefore = mesh.heartbeatRttMs();
        LOG.info("cross-region: heartbeat RTTs (ms) before the first phase {}", rttBefore);
        List<CrossRegionLatency.Result> latency = new ArrayList<>();
        latency.add(latencyPath("from-home", HOME));
        latency.add(latencyPath("from-far", FAR));
        List<String> channels = homedChannels("tput", config.crossChannels());
        CrossRegionThroughput.Result throughput = new CrossRegionThroughput(new CrossRegionThroughput.Params(HOME,
                REMOTE, channels, config.crossWindow(), config.durationS(), config.warmupS(), config.drainS(),
                config.payloadBytes(), config.connectConcurrency()), http, mesh, runId).run();
        return new Result(mesh.describe(), mesh.durability(), rttBefore, mesh.heartbeatRttMs(), latency,
                throughput);
    }

    private CrossRegionLatency.Result latencyPath(String name, String publisherRegion) {
        String channel = homedChannels(name, 1).get(0);
        List<String> subscriberRegions = List.of(REMOTE, HOME);
        List<CrossRegionLatency.Path> paths = new ArrayList<>();
        for (String region : subscriberRegions) {
            double oneWay = mesh.oneWayMs(publisherRegion, HOME) + mesh.oneWayMs(HOME, region);
            double floor = region.equals(HOME)
                    ? mesh.oneWayMs(publisherRegion, HOME) + durabilityWaitMs(channel, subscriberRegions)
                    : oneWay;
            paths.add(new CrossRegionLatency.Path(region, oneWay, floor));
        }
        double ackFloor = mesh.oneWayMs(publisherRegion, HOME) + durabilityWaitMs(channel, subscriberRegions)
                + mesh.oneWayMs(HOME, publisherRegion);
        LOG.info("cross-region {}: emulated floors {} , ack {} ms", name, paths, ackFloor);
        return new CrossRegionLatency(new CrossRegionLatency.Params(name, publisherRegion, HOME, channel, paths,
                ackFloor, config.crossRate(), config.durationS(), config.warmupS(), config.drainS(),
                config.payloadBytes()), http, mesh, runId).run();
    }

    /**
     * The home's wait before it may ack or deliver locally: 0 with {@code durability: local}; else the round trip to
     * the nearest region it sends the message to (those with subscribers, or the channel's next region if none).
     */
    private double durabilityWaitMs(String channel, List<String> subscriberRegions) {
        if (!"region".equals(mesh.durability())) {
            return 0;
        }
        List<String> targets = subscriberRegions.stream().filter(r -> !r.equals(HOME)).toList();
        if (targets.isEmpty()) {
            targets = Rendezvous.rank(channel, DemoMesh.REGIONS).stream().filter(r -> !r.equals(HOME)).limit(1)
                    .toList();
        }
        return targets.stream().mapToLong(r -> mesh.rttMs(HOME, r)).min().orElse(0);
    }

    /** {@code count} fresh channel names whose rendezvous home is {@value #HOME}, checked against the mesh too. */
    private List<String> homedChannels(String phase, int count) {
        List<String> out = new ArrayList<>();
        for (int k = 0; out.size() < count; k++) {
            String channel = "bench." + runId + ".xr-" + phase + "." + k;
            if (Rendezvous.home(channel, DemoMesh.REGIONS).equals(HOME)) {
                String meshHome = mesh.node(REMOTE).relay().mesh().home(channel);
                if (!meshHome.equals(HOME)) {
                    throw new IllegalStateException("the mesh homes " + channel + " in " + meshHome
                            + ", Rendezvous.home over " + DemoMesh.REGIONS + " says " + HOME);
                }
                out.add(channel);
            }
        }
        return out;
    }
}

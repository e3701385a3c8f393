package io.meshgate.regions.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.regions.ops.NodeClient;
import io.meshgate.regions.ops.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Waits until the demo can do what its banner invites a user to do: every node answers {@code /readyz} 200, every
 * node's region has its link to every other region up, every node lists every region as healthy in
 * {@code /v1/regions}, and, for each region, a probe message published from another region on a channel homed
 * there is acknowledged and can be read back in a third region. Everything is asked over the nodes' HTTP ports,
 * the way a client would; nothing is read from inside the nodes but which region a probe channel is homed in.
 *
 * <p>Called once, by the thread that starts the demo, which it blocks. Each probe is retried with the same id, so a
 * retry never makes a second message (G4).
 */
public final class DemoReadiness {
    private static final Logger LOG = LoggerFactory.getLogger(DemoReadiness.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_INTERVAL_MS = 100;
    /** Probe channels: {@code demo:ready-<region>-<n>}, the first {@code n} homed in that region. */
    static final String PROBE_PREFIX = "demo:ready-";

    /** One node as the check sees it: its region and base URL. */
    public record Node(String region, String name, String httpUrl) {
    }

    private final List<Node> nodes;
    private final List<String> regions;
    private final Function<String, String> homeOf;
    private final Clock clock;
    private final NodeClient nodeClient = new NodeClient();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();

    /**
     * @param nodes   every node, region by region
     * @param regions the regions, in order; at least two
     * @param homeOf  a channel's home region as the mesh computes it (the same on every node)
     */
    public DemoReadiness(List<Node> nodes, List<String> regions, Function<String, String> homeOf, Clock clock) {
        if (regions.size() < 2) {
            throw new IllegalArgumentException("the readiness probe needs at least two regions");
        }
        this.nodes = List.copyOf(nodes);
        this.regions = List.copyOf(regions);
        this.homeOf = homeOf;
        this.clock = clock;
    }

    /**
     * Blocks until everything is ready or {@code timeout} passes.
     *
     * @return null when ready, else what was still missing at the deadline, in words
     */
    public String await(Duration timeout) throws InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        String missing = "not checked yet";
        List<String> probed = new ArrayList<>();
        while (clock.instant().isBefore(deadline)) {
            missing = firstMissing(probed);
            if (missing == null) {
                return null;
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        return missing;
    }

    /** The first unmet condition, or null when all are met; {@code probed} collects the regions already probed. */
    private String firstMissing(List<String> probed) throws InterruptedException {
        for (Node node : nodes) {
            NodeStatus status = nodeClient.status(node.region(), node.name(), node.httpUrl());
            if (!status.ready()) {
                return node.name() + " /readyz: " + status.readyReason();
            }
            for (String peer : regions) {
                if (!peer.equals(node.region()) && !Boolean.TRUE.equals(status.linksUp().get(peer))) {
                    return node.name() + ": link to " + peer + " not up";
                }
            }
            String unhealthy = unhealthyRegion(node);
            if (unhealthy != null) {
                return node.name() + " /v1/regions: " + unhealthy;
            }
        }
        for (int i = 0; i < regions.size(); i++) {
            String home = regions.get(i);
            if (probed.contains(home)) {
                continue;
            }
            String failed = probe(home, nodeOf(regions.get((i + 1) % regions.size())),
                    nodeOf(regions.get((i + 2) % regions.size())));
            if (failed != null) {
                return failed;
            }
            probed.add(home);
            LOG.debug("demo readiness: a channel homed in {} sequenced and delivered", home);
        }
        return null;
    }

    private String unhealthyRegion(Node node) throws InterruptedException {
        try {
            HttpResponse<String> reply = get(node.httpUrl() + "/v1/regions");
            if (reply.statusCode() != 200) {
                return "HTTP " + reply.statusCode();
            }
            JsonNode listed = JSON.readTree(reply.body()).path("regions");
            for (String region : regions) {
                boolean healthy = false;
                for (JsonNode r : listed) {
                    healthy |= region.equals(r.path("name").asText()) && r.path("healthy").asBoolean();
                }
                if (!healthy) {
                    return region + " not healthy";
                }
            }
            return null;
        } catch (IOException e) {
            return NodeClient.why(e);
        }
    }

    /**
     * Publishes a probe on a channel homed in {@code home} from {@code from}'s region and reads it back in
     * {@code reader}'s (a third region when there are three). Null when both worked.
     */
    private String probe(String home, Node from, Node reader) throws InterruptedException {
        String channel = probeChannel(home);
        String id = "ready-probe-" + home;
        try {
            String body = JSON.createObjectNode().put("ch", channel).put("id", id)
                    .set("data", JSON.createObjectNode().put("probe", "demo readiness")).toString();
            HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create(from.httpUrl() + "/v1/publish"))
                    .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (ack.statusCode() != 200) {
                return "probe publish on " + channel + " (home " + home + ") from " + from.region() + ": HTTP "
                        + ack.statusCode() + " " + ack.body();
            }
            HttpResponse<String> read = get(reader.httpUrl() + "/v1/poll?ch="
                    + URLEncoder.encode(channel + "@:0", StandardCharsets.UTF_8) + "&wait=2");
            for (JsonNode msg : JSON.readTree(read.body()).path("messages")) {
                if (id.equals(msg.path("id").asText())) {
                    return null;
                }
            }
            return "probe on " + channel + " (home " + home + ") acked but not yet readable in " + reader.region();
        } catch (IOException e) {
            return "probe on " + channel + ": " + NodeClient.why(e);
        }
    }

    /** The first probe channel name homed in {@code region}; names are tried in order, so it is the same each run. */
    String probeChannel(String region) {
        for (int n = 0; n < 10_000; n++) {
            String channel = PROBE_PREFIX + region + "-" + n;
            if (region.equals(homeOf.apply(channel))) {
                return channel;
            }
        }
        throw new IllegalStateException("no probe channel name homes in " + region);
    }

    private Node nodeOf(String region) {
        return nodes.stream().filter(n -> n.region().equals(region)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node in region " + region));
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package io.meshgate.regions.cli;

import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.server.PortInUseException;
import io.meshgate.regions.demo.DelayFront;
import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.regions.demo.DemoReadiness;
import io.meshgate.regions.node.NodeRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code demo}: the embedded default, three regions joined by the relay mesh. */
final class DemoCommand {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
    /** Generous for a loaded 2-core machine; a fresh demo is ready in a few seconds. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final String HELP = """
            Usage: java -jar gateway.jar demo [--port PORT] [--cluster-port PORT] [--nodes N]
                                              [--latency | --latency-ms A,B,C] [--faults]

            Starts the embedded local demo: three regions, us-east, eu-west and ap-south, on 127.0.0.1. Each region
            is its own Hazelcast cluster of N nodes (default 1); the regions are joined by the real relay mesh
            (gRPC links between the regions' leaders). INSECURE mode: clients connect without a token and may use
            every channel. Never expose it beyond localhost. Ctrl-C drains every node and exits.

            Ports: region r (0, 1, 2), node n get edge PORT+10r+n (8081, 8091, 8101 by default), relay
            PORT+1000+10r+n and Hazelcast CLUSTER-PORT+10r+n.

            Options:
              --port PORT           first edge port (default 8081)
              --cluster-port PORT   first Hazelcast member port (default 5701)
              --nodes N             nodes per region, 1 to 3 (default 1)
              --latency             emulate link latency: RTT 70 ms us-east/eu-west, 90 ms eu-west/ap-south,
                                    150 ms us-east/ap-south, so cross-region behaviour shows on one machine; and
                                    put each region behind a front on PORT+2000+10r (the region's public URL in
                                    /v1/regions) that adds a browser RTT of 20 ms us-east, 80 ms eu-west, 160 ms
                                    ap-south, as if the browser were near us-east, so the region choice shows too
              --latency-ms A,B,C    the same with your own link RTTs, in that order
              --faults              allow runtime fault injection on the mesh links (admin.faults: true):
                                    POST/DELETE /admin/faults, for a chaos experiment (docs/operations.md)
              --help                this text
            """;

    private DemoCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("demo", args, 1, Set.of("--port", "--cluster-port", "--nodes", "--latency-ms"),
                Set.of("--help", "--latency", "--faults"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        int port = parsed.integer("demo", "--port", 8081);
        int clusterPort = parsed.integer("demo", "--cluster-port", 5701);
        int nodesPerRegion = parsed.integer("demo", "--nodes", 1);
        if (nodesPerRegion < 1 || nodesPerRegion > 3) {
            System.err.println("demo: --nodes must be 1, 2 or 3");
            return 2;
        }
        long[] rtt = parsed.flag("--latency") ? DemoMesh.DEFAULT_RTT_MS : null;
        String custom = parsed.value("--latency-ms");
        if (custom != null) {
            rtt = parseRtts(custom);
            if (rtt == null) {
                System.err.println("demo: --latency-ms takes three RTTs in ms, e.g. 70,90,150");
                return 2;
            }
        }
        LOG.warn("*** INSECURE DEMO MODE: no token needed, every channel open to everyone. Local use only. ***");
        List<EdgeNode> nodes = new ArrayList<>();
        List<DelayFront> fronts = new ArrayList<>();
        List<DemoMesh.Ports> ports = DemoMesh.defaultPorts(port, clusterPort, nodesPerRegion);
        try {
            Map<String, String> publicUrls = rtt == null ? Map.of() : startFronts(fronts, port, ports, nodesPerRegion);
            String extra = parsed.flag("--faults") ? "admin:\n  faults: true\n" : null;
            for (NodeSettings settings : DemoMesh.nodes(ports, nodesPerRegion, rtt, extra, publicUrls)) {
                nodes.add(EdgeNode.start(settings));
            }
        } catch (PortInUseException e) {
            LOG.error("demo cannot start: {}", e.getMessage());
            nodes.forEach(EdgeNode::close);
            fronts.forEach(DelayFront::close);
            return 1;
        } catch (RuntimeException e) {
            LOG.error("demo failed to start: {}", e.getMessage(), e);
            nodes.forEach(EdgeNode::close);
            fronts.forEach(DelayFront::close);
            return 1;
        }
        String notReady = awaitReady(nodes, nodesPerRegion);
        if (notReady != null) {
            LOG.error("demo not ready after {} s, stopping: {}", READY_TIMEOUT.toSeconds(), notReady);
            nodes.forEach(EdgeNode::close);
            return 1;
        }
        System.out.println(banner(nodes, nodesPerRegion, rtt, statusConfig(ports, nodesPerRegion, rtt)));
        return NodeRunner.runUntilStopped(nodes);
    }

    /**
     * Blocks until every region can sequence and deliver (see {@link DemoReadiness}): the banner invites a user to
     * publish at once, so it comes only after that works. Null when ready, else what was missing.
     */
    private static String awaitReady(List<EdgeNode> nodes, int nodesPerRegion) {
        List<DemoReadiness.Node> checked = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String region = DemoMesh.REGIONS.get(i / nodesPerRegion);
            checked.add(new DemoReadiness.Node(region, region + "-" + (i % nodesPerRegion + 1), nodes.get(i).httpUrl()));
        }
        LOG.info("waiting until every region sequences and delivers (readiness, links, one probe message per region)");
        try {
            return new DemoReadiness(checked, DemoMesh.REGIONS, nodes.get(0).relay()::home, Clock.systemUTC())
                    .await(READY_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * One {@link DelayFront} per region in front of its edges, adding {@link DemoMesh#CLIENT_RTT_MS}; returns each
     * region's public URL (its front) for the configuration.
     */
    private static Map<String, String> startFronts(List<DelayFront> fronts, int edgeBase, List<DemoMesh.Ports> ports,
                                                   int nodesPerRegion) {
        Map<String, String> urls = new LinkedHashMap<>();
        for (int r = 0; r < DemoMesh.REGIONS.size(); r++) {
            List<Integer> edges = new ArrayList<>();
            for (int n = 0; n < nodesPerRegion; n++) {
                edges.add(ports.get(r * nodesPerRegion + n).edge());
            }
            int frontPort = DemoMesh.frontPort(edgeBase, r);
            try {
                fronts.add(DelayFront.start(frontPort, edges, DemoMesh.CLIENT_RTT_MS[r] / 2));
            } catch (IOException e) {
                throw new PortInUseException("client front", "127.0.0.1", frontPort,
                        "choose other ports with the demo's --port (fronts use PORT+2000)");
            }
            urls.put(DemoMesh.REGIONS.get(r), "http://127.0.0.1:" + frontPort);
        }
        return urls;
    }

    private static long[] parseRtts(String text) {
        String[] parts = text.split(",");
        if (parts.length != 3) {
            return null;
        }
        long[] out = new long[3];
        try {
            for (int i = 0; i < 3; i++) {
                out[i] = Long.parseLong(parts[i].trim());
                if (out[i] < 0 || out[i] > 10_000) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }

    /** Writes the demo's configuration to a file the status command can read; null when it cannot be written. */
    private static Path statusConfig(List<DemoMesh.Ports> ports, int nodesPerRegion, long[] rtt) {
        try {
            Path file = Files.createTempFile("meshgate-demo-", ".yaml");
            file.toFile().deleteOnExit();
            Files.writeString(file, "# The running demo's topology, written by gateway.jar demo for the status command.\n"
                    + DemoMesh.yaml(ports, nodesPerRegion, rtt, null));
            return file;
        } catch (IOException e) {
            LOG.warn("could not write the demo's configuration for the status command: {}", e.getMessage());
            return null;
        }
    }

    private static String banner(List<EdgeNode> nodes, int nodesPerRegion, long[] rtt, Path statusConfig) {
        StringBuilder regions = new StringBuilder();
        for (int r = 0; r < DemoMesh.REGIONS.size(); r++) {
            for (int n = 0; n < nodesPerRegion; n++) {
                EdgeNode node = nodes.get(r * nodesPerRegion + n);
                regions.append(String.format(" %-9s node %d   WebSocket %s%n %-17s HTTP      %s%n",
                        n == 0 ? DemoMesh.REGIONS.get(r) : "", n + 1, node.wsUrl(), "", node.httpUrl()));
            }
        }
        EdgeNode us = nodes.get(0);
        EdgeNode ap = nodes.get(2 * nodesPerRegion);
        String latency = rtt == null ? "none (add --latency to emulate 70/90/150 ms RTTs)"
                : "RTT us-east/eu-west " + rtt[0] + " ms, eu-west/ap-south " + rtt[1] + " ms, us-east/ap-south "
                        + rtt[2] + " ms;\n   browsers reach the regions through fronts adding an RTT of us-east "
                        + DemoMesh.CLIENT_RTT_MS[0] + " ms, eu-west " + DemoMesh.CLIENT_RTT_MS[1] + " ms, ap-south "
                        + DemoMesh.CLIENT_RTT_MS[2] + " ms (" + frontUrls(nodes.get(0).edgePort()) + ")";
        return """

                ==============================================================================
                 Meshgate demo: three regions joined by the relay mesh, INSECURE mode
                ==============================================================================
                %s
                 Ready: every node answers /readyz, every link is up, and each region sequenced a probe message
                 published from another region (channels demo:ready-*), read back in the third.
                 Emulated link latency: %s

                 Demo page: open two regions' links in two tabs and chat (?region= pins a tab to its region; without
                 it the client picks the lowest RTT and shows why). Each message shows where it was sent from, the
                 channel's home region and its publish-to-deliver latency; a new tab shows the last 50 messages:
                %s
                   Add ?transport=longpoll (or pick it on the page) to use HTTP long-poll instead of WebSocket.
                   The JavaScript client it uses is served by every edge at /client.js (see docs/clients.md).

                 Token (the demo admits clients without one; this one, signed with the demo secret of
                 examples/mesh.yaml, also works against that three-process deployment for 24 hours):
                   %s

                 Subscribe in ap-south, publish in us-east (any WebSocket client, e.g. npx wscat):
                   npx wscat -c %s
                     {"op":"connect"}
                     {"op":"sub","ch":"chat:room1"}
                   npx wscat -c %s
                     {"op":"connect"}
                     {"op":"pub","ch":"chat:room1","id":"m1","data":{"text":"hi"}}

                 Long-poll and publish with curl:
                   curl -s '%s/v1/poll?ch=chat:room1@:0&wait=25'
                   curl -s -XPOST %s/v1/publish -d '{"ch":"chat:room1","id":"m2","data":"hello"}'

                 Regions, the mesh (links, RTT matrix) and metrics:
                   java -jar regions/target/gateway.jar status --config %s
                   curl -s %s/v1/regions
                   curl -s %s/admin/mesh
                   curl -s %s/metrics | grep meshgate_mesh

                 Ctrl-C drains every node and stops.
                ==============================================================================
                """.formatted(regions.toString().stripTrailing(), latency, demoPages(nodes, nodesPerRegion),
                sampleToken(), ap.wsUrl(), us.wsUrl(), ap.httpUrl(), us.httpUrl(),
                statusConfig == null ? "FILE" : statusConfig, us.httpUrl(), us.httpUrl(), us.httpUrl());
    }

    private static String frontUrls(int edgeBase) {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < DemoMesh.REGIONS.size(); r++) {
            out.add(":" + DemoMesh.frontPort(edgeBase, r));
        }
        return String.join(", ", out);
    }

    /** One demo page URL per region (its first node): any edge serves the page, this shows where it starts. */
    private static String demoPages(List<EdgeNode> nodes, int nodesPerRegion) {
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < DemoMesh.REGIONS.size(); r++) {
            out.append(String.format("   %-9s %s/demo?region=%s%n", DemoMesh.REGIONS.get(r),
                    nodes.get(r * nodesPerRegion).httpUrl(), DemoMesh.REGIONS.get(r)));
        }
        return out.toString().stripTrailing();
    }

    /** The example deployment's secret: public on purpose, like the demo; never use it for anything real. */
    static final String DEMO_SECRET = "meshgate-demo-secret-not-for-production-use";

    private static String sampleToken() {
        return new TokenMinter(DEMO_SECRET).mint("demo", List.of("*"), List.of("*"), java.time.Duration.ofHours(24));
    }
}

package io.meshgate.regions.cli;

import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.regions.node.NodeRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code demo}: the embedded default, three regions joined by the relay mesh. */
final class DemoCommand {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
    private static final String HELP = """
            Usage: java -jar gateway.jar demo [--port PORT] [--cluster-port PORT] [--nodes N]
                                              [--latency | --latency-ms A,B,C]

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
                                    150 ms us-east/ap-south, so cross-region behaviour shows on one machine
              --latency-ms A,B,C    the same with your own RTTs, in that order
              --help                this text
            """;

    private DemoCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("demo", args, 1, Set.of("--port", "--cluster-port", "--nodes", "--latency-ms"),
                Set.of("--help", "--latency"));
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
        List<DemoMesh.Ports> ports = DemoMesh.defaultPorts(port, clusterPort, nodesPerRegion);
        try {
            for (NodeSettings settings : DemoMesh.nodes(ports, nodesPerRegion, rtt, null)) {
                nodes.add(EdgeNode.start(settings));
            }
        } catch (RuntimeException e) {
            LOG.error("demo failed to start: {}", e.getMessage(), e);
            nodes.forEach(EdgeNode::close);
            return 1;
        }
        awaitServing(nodes);
        System.out.println(banner(nodes, nodesPerRegion, rtt, statusConfig(ports, nodesPerRegion, rtt)));
        return NodeRunner.runUntilStopped(nodes);
    }

    /**
     * Waits (at most a minute) until every region can sequence and deliver: its links are up and have been for
     * mesh.failbackHoldMs (what /readyz reports), so the URLs the banner prints answer at once.
     */
    private static void awaitServing(List<EdgeNode> nodes) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!nodes.stream().allMatch(n -> n.mesh() == null || n.mesh().canServe())) {
            if (System.nanoTime() > deadline) {
                LOG.warn("demo: not every region is ready after a minute; see /readyz and gateway.jar status");
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50));
        }
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
                        + rtt[2] + " ms";
        return """

                ==============================================================================
                 Meshgate demo: three regions joined by the relay mesh, INSECURE mode
                ==============================================================================
                %s
                 Emulated link latency: %s

                 Demo page: open it in two browser tabs and chat. It shows the region its client chose and why
                 (every region's RTT probes), each message's region and position, and every reconnect:
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

    /** One demo page URL per region (its first node): any edge serves the page, this shows where it starts. */
    private static String demoPages(List<EdgeNode> nodes, int nodesPerRegion) {
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < DemoMesh.REGIONS.size(); r++) {
            out.append(String.format("   %-9s %s/demo%n", DemoMesh.REGIONS.get(r), nodes.get(r * nodesPerRegion).httpUrl()));
        }
        return out.toString().stripTrailing();
    }

    /** The example deployment's secret: public on purpose, like the demo; never use it for anything real. */
    static final String DEMO_SECRET = "meshgate-demo-secret-not-for-production-use";

    private static String sampleToken() {
        return new TokenMinter(DEMO_SECRET).mint("demo", List.of("*"), List.of("*"), java.time.Duration.ofHours(24));
    }
}

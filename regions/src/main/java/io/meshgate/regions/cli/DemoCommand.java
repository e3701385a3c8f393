package io.meshgate.regions.cli;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.demo.DemoRegion;
import io.meshgate.regions.node.NodeRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code demo}: the embedded default. */
final class DemoCommand {
    private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
    private static final String HELP = """
            Usage: java -jar gateway.jar demo [--port PORT] [--cluster-port PORT]

            Starts the embedded local demo: region eu-west with two nodes on 127.0.0.1 (edges on PORT and PORT+1,
            default 8081 and 8082), each its own Hazelcast member, relay and edge, in INSECURE mode: clients
            connect without a token and may use every channel. Never expose it beyond localhost.
            Ctrl-C drains both nodes and exits.

            Options:
              --port PORT           first edge port (default 8081; relays use PORT+1000 and PORT+1001)
              --cluster-port PORT   first Hazelcast member port (default 5701)
              --help                this text
            """;

    private DemoCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("demo", args, 1, Set.of("--port", "--cluster-port"), Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        int port = parsed.integer("demo", "--port", 8081);
        int clusterPort = parsed.integer("demo", "--cluster-port", 5701);
        LOG.warn("*** INSECURE DEMO MODE: no token needed, every channel open to everyone. Local use only. ***");
        List<EdgeNode> nodes = new ArrayList<>();
        try {
            for (NodeSettings settings : DemoRegion.nodes(port, clusterPort)) {
                nodes.add(EdgeNode.start(settings));
            }
        } catch (RuntimeException e) {
            LOG.error("demo failed to start: {}", e.getMessage(), e);
            nodes.forEach(EdgeNode::close);
            return 1;
        }
        System.out.println(banner(nodes));
        return NodeRunner.runUntilStopped(nodes);
    }

    private static String banner(List<EdgeNode> nodes) {
        EdgeNode a = nodes.get(0);
        EdgeNode b = nodes.get(1);
        return """

                ==============================================================================
                 Meshgate demo is running: region %s, two nodes, INSECURE mode (no tokens)
                ==============================================================================
                 node eu-west-1   WebSocket %s
                                  HTTP      %s
                 node eu-west-2   WebSocket %s
                                  HTTP      %s

                 Try it (any WebSocket client, e.g. 'npx wscat -c %s'):
                   {"op":"connect"}
                   {"op":"sub","ch":"chat:room1"}
                   {"op":"pub","ch":"chat:room1","id":"m1","data":{"text":"hi"}}

                 Long-poll with curl, from a second terminal:
                   curl -s '%s/v1/poll?ch=chat:room1@:0&wait=25'
                   curl -s -XPOST %s/v1/publish -d '{"ch":"chat:room1","id":"m2","data":"hello"}'

                 Regions, health and metrics:
                   curl -s %s/v1/regions
                   curl -s %s/readyz      curl -s %s/metrics | grep meshgate_

                 Ctrl-C drains both nodes and stops.
                ==============================================================================
                """.formatted(DemoRegion.REGION, a.wsUrl(), a.httpUrl(), b.wsUrl(), b.httpUrl(), a.wsUrl(),
                b.httpUrl(), a.httpUrl(), a.httpUrl(), a.httpUrl(), a.httpUrl());
    }
}

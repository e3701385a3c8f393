package io.meshgate.regions.cli;

import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.regions.node.NodeRunner;

import java.nio.file.Path;
import java.util.Set;

/** {@code node --config FILE --node NAME}: one node of a real deployment, drained on SIGTERM. */
final class NodeCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar node --config FILE --node NAME

            Runs one node: a member of its region's Hazelcast cluster, the relay's gRPC server and the edge
            (WebSocket /v1/ws, long-poll /v1/poll and /v1/publish, /v1/regions, /v1/ping, /healthz, /readyz,
            /metrics, POST /admin/drain) on the ports the configuration gives the node.

            On SIGTERM (or POST /admin/drain) the node drains: /readyz turns false, clients get 'move' with
            jitter and close 4100, publishes in flight get their acks, then the node leaves its cluster and exits.

            Options:
              --config FILE   the deployment's YAML configuration (reference: docs/configuration.md)
              --node NAME     which node of the configuration this process is
              --help          this text
            """;

    private NodeCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("node", args, 1, Set.of("--config", "--node"), Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("node", "--config")));
        NodeSettings settings = config.nodeSettings(parsed.required("node", "--node"));
        return NodeRunner.runUntilStopped(settings);
    }
}

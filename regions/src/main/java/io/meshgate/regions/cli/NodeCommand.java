package io.meshgate.regions.cli;

import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.regions.node.NodeRunner;

import java.nio.file.Path;
import java.util.Set;

/** {@code node --config FILE --node NAME}: one node of a real deployment, drained on SIGTERM. */
public final class NodeCommand {
    private static final Set<String> OPTIONS = Set.of("--config", "--node", "--cluster-bind-host");
    private static final String HELP = """
            Usage: java -jar gateway.jar node --config FILE --node NAME [--cluster-bind-host IP]

            Runs one node: a member of its region's Hazelcast cluster, the relay's gRPC server and the edge
            (WebSocket /v1/ws, long-poll /v1/poll and /v1/publish, /v1/regions, /v1/ping, /healthz, /readyz,
            /metrics, POST /admin/drain) on the ports the configuration gives the node.

            On SIGTERM (or POST /admin/drain) the node drains: /readyz turns false, clients get 'move' with
            jitter and close 4100, publishes in flight get their acks, then the node leaves its cluster and exits.

            Options:
              --config FILE   the deployment's YAML configuration (reference: docs/configuration.md)
              --node NAME     which node of the configuration this process is
              --cluster-bind-host IP
                              the private address the cluster (Hazelcast) port binds, instead of the node's
                              clusterBindHost: a Kubernetes pod passes its own IP (status.podIP)
              --help          this text
            """;

    private NodeCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("node", args, 1, OPTIONS, Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        return NodeRunner.runUntilStopped(settings(parsed));
    }

    /**
     * The settings {@code node ARGS} runs with ({@code args[0]} is "node"), without starting anything: lets a
     * deployment's command line be checked with {@link io.meshgate.edge.server.EdgeNode#checkSecurity}.
     */
    public static NodeSettings settings(String[] args) {
        return settings(Args.parse("node", args, 1, OPTIONS, Set.of("--help")));
    }

    private static NodeSettings settings(Args parsed) {
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("node", "--config")));
        return config.nodeSettings(parsed.required("node", "--node"), parsed.value("--cluster-bind-host"));
    }
}

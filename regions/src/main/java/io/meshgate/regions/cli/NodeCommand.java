package io.meshgate.regions.cli;

import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.regions.node.NodeRunner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Set;

/** {@code node --config FILE --node NAME}: one node of a real deployment, drained on SIGTERM. */
public final class NodeCommand {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCommand.class);
    private static final Set<String> OPTIONS = Set.of("--config", "--node", "--cluster-bind-host");
    private static final String HELP = """
            Usage: java -jar gateway.jar node --config FILE --node NAME [--cluster-bind-host IP]

            Runs one node: a member of its region's Hazelcast cluster, the relay's gRPC server and the edge
            (WebSocket /v1/ws, long-poll /v1/poll and /v1/publish, /v1/regions, /v1/ping, /healthz, /readyz,
            /metrics, POST /admin/drain) on the ports the configuration gives the node.

            On SIGTERM (or POST /admin/drain) the node drains: /readyz turns false, clients get 'move' with
            jitter and close 4100, publishes in flight get their acks, then the node leaves its cluster and exits.

            Memory: give the JVM its limits, for example
              java -Xms256m -Xmx256m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC -jar gateway.jar node ...
            (README, Performance: measured RSS under load with these flags). Without -Xmx the JVM takes a
            quarter of the machine's memory as its heap limit; the node logs a warning then.

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

    /** States the heap and direct memory limits the node runs with, and warns when no heap limit was given. */
    private static void logMemoryLimits() {
        long heapMiB = Runtime.getRuntime().maxMemory() >> 20;
        boolean heapGiven = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxHeapSize")
                        || a.startsWith("-XX:MaxRAMPercentage"));
        String direct = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:MaxDirectMemorySize=")).map(a -> a.substring(a.indexOf('=') + 1))
                .findFirst().orElse("the heap limit (default)");
        if (heapGiven) {
            LOG.info("memory limits: heap {} MiB, direct memory {}", heapMiB, direct);
        } else {
            LOG.warn("memory limits: no -Xmx given, so the heap may grow to {} MiB (a quarter of this machine's"
                    + " memory) and direct memory as far again; set them, e.g. -Xmx256m -XX:MaxDirectMemorySize=64m"
                    + " (see README, Performance)", heapMiB);
        }
    }

    static int run(String[] args) {
        Args parsed = Args.parse("node", args, 1, OPTIONS, Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        logMemoryLimits();
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

package io.meshgate.regions.cli;

import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;

import java.nio.file.Path;
import java.util.Set;

/** {@code check-config}: validates a configuration and prints what every node would run with. */
final class CheckConfigCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar check-config --config FILE [--cluster-bind-host ADDRESS]

            Validates the configuration (every key, every value, unknown keys are errors), then checks every node
            as 'node' would before it starts anything: a port beyond loopback needs its peer authenticated
            (mesh.tls for the relay port, admin.token and an adminPort for the edge, a private clusterBindHost and
            cluster.secret for the cluster port). Prints the resolved settings of every node. Exit code 0 when
            valid, 1 with a message naming the key when not.

            Options:
              --config FILE   the YAML configuration
              --cluster-bind-host ADDRESS
                              check every node as if started with this option of 'node' (a pod's IP on
                              Kubernetes, where each node gets its own at start; any private address of the
                              same kind will do for the check)
              --help          this text
            """;

    private CheckConfigCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("check-config", args, 1, Set.of("--config", "--cluster-bind-host"),
                Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("check-config", "--config")));
        for (GatewayConfig.RegionConfig region : config.regions()) {
            System.out.println("region " + region.name() + (region.publicUrl() == null ? "" : " (" + region.publicUrl()
                    + ")"));
            for (GatewayConfig.NodeConfig node : region.nodes()) {
                System.out.println("  node " + node.name() + ": edge " + node.host() + ":" + node.edgePort()
                        + ", relay " + node.relayPort() + ", cluster " + node.clusterPort());
            }
        }
        System.out.println("auth: " + config.auth());
        System.out.println("history: " + config.history());
        System.out.println("limits: " + config.limits());
        System.out.println("edge: " + config.edge().toString().replaceAll("adminToken=(?!null)[^,\\]]+", "adminToken=set"));
        System.out.println("delivery: " + config.delivery());
        boolean refused = false;
        for (GatewayConfig.RegionConfig region : config.regions()) {
            for (GatewayConfig.NodeConfig node : region.nodes()) {
                try {
                    io.meshgate.edge.server.EdgeNode.checkSecurity(config.nodeSettings(node.name(),
                            parsed.value("--cluster-bind-host")));
                } catch (IllegalStateException e) {
                    refused = true;
                    System.err.println("node " + node.name() + " would refuse to start: " + e.getMessage());
                }
            }
        }
        if (refused) {
            return 1;
        }
        System.out.println("configuration OK");
        return 0;
    }
}

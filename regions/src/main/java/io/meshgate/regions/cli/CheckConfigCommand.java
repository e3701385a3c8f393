package io.meshgate.regions.cli;

import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;

import java.nio.file.Path;
import java.util.Set;

/** {@code check-config}: validates a configuration and prints what every node would run with. */
final class CheckConfigCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar check-config --config FILE

            Validates the configuration (every key, every value, unknown keys are errors) and prints the
            resolved settings of every node. Exit code 0 when valid, 1 with a message naming the key when not.

            Options:
              --config FILE   the YAML configuration
              --help          this text
            """;

    private CheckConfigCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("check-config", args, 1, Set.of("--config"), Set.of("--help"));
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
        System.out.println("configuration OK");
        return 0;
    }
}

package io.meshgate.regions.cli;

import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.regions.ops.NodeClient;
import io.meshgate.regions.ops.NodeStatus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code status}: every node of a deployment, as its own endpoints report it. */
final class StatusCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar status --config FILE [--node NAME]

            Asks every node of the configuration (or one) for /readyz and /metrics and prints, per node: ready or
            why not (starting, draining, region down, recovering, unreachable), members of its region's cluster as
            it sees them, connected WebSocket clients, channels it delivers, and publishes waiting for their ack.
            With two or more regions it then prints the mesh: each region's link to every other region (up, relayed
            through another region counts as up, or down), the RTT matrix of the heartbeats, in ms, and the
            operators' home overrides: regions failed over ('failover') and pinned channels ('pin').
            Exit code 0 when every node asked is ready and every link reported is up, 1 otherwise, 2 for a bad
            command line.

            Options:
              --config FILE   the deployment's YAML configuration
              --node NAME     only this node
              --help          this text
            """;

    private StatusCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("status", args, 1, Set.of("--config", "--node"), Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("status", "--config")));
        String only = parsed.value("--node");
        NodeClient client = new NodeClient();
        List<NodeStatus> statuses = new ArrayList<>();
        for (GatewayConfig.RegionConfig region : config.regions()) {
            for (GatewayConfig.NodeConfig node : region.nodes()) {
                if (only == null || only.equals(node.name())) {
                    statuses.add(client.status(region.name(), node.name(), NodeUrls.admin(config, node)));
                }
            }
        }
        if (statuses.isEmpty()) {
            throw new Args.UsageException("status: --node " + only + " is not a node of the configuration");
        }
        System.out.printf("%-12s %-16s %-28s %-36s %7s %8s %9s %8s%n", "REGION", "NODE", "URL", "READY", "MEMBERS",
                "CLIENTS", "CHANNELS", "INFLIGHT");
        for (NodeStatus s : statuses) {
            System.out.printf("%-12s %-16s %-28s %-36s %7s %8s %9s %8s%n", s.region(), s.node(), s.url(),
                    s.ready() ? "yes" : "no: " + s.readyReason(), count(s.regionMembers()),
                    count(s.webSocketClients()), count(s.channels()), count(s.publishesInFlight()));
        }
        boolean linksUp = true;
        if (config.regions().size() > 1) {
            linksUp = MeshTable.print(config.regions().stream().map(GatewayConfig.RegionConfig::name).toList(),
                    statuses, System.out);
            printOverrides(config, statuses, client);
        }
        return statuses.stream().allMatch(NodeStatus::ready) && linksUp ? 0 : 1;
    }

    /** The operators' home overrides (failover, pins), from the first asked node that answers GET /admin/mesh. */
    private static void printOverrides(GatewayConfig config, List<NodeStatus> statuses, NodeClient client) {
        System.out.printf("%nHOME OVERRIDES (failover / pin, agreed by every region)%n");
        for (NodeStatus s : statuses) {
            try {
                java.net.http.HttpResponse<String> answer = client.admin(s.url(), "GET", "/admin/mesh",
                        config.edge().adminToken());
                if (answer.statusCode() != 200) {
                    continue;
                }
                com.fasterxml.jackson.databind.JsonNode table = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(answer.body()).path("homeOverrides");
                List<String> failedOver = new ArrayList<>();
                table.path("failedOver").forEach(r -> failedOver.add(r.asText()));
                System.out.println("version " + table.path("version").asLong() + " (as " + s.node() + " sees it)");
                System.out.println("failed over: " + (failedOver.isEmpty() ? "none" : String.join(", ", failedOver)));
                if (table.path("pins").isEmpty()) {
                    System.out.println("pinned:      none");
                }
                table.path("pins").fields().forEachRemaining(pin -> System.out.printf("pinned:      %s -> %s%n",
                        pin.getKey(), pin.getValue().asText()));
                return;
            } catch (java.io.IOException e) {
                // the next node may answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        System.out.println("unknown (no node answered GET /admin/mesh)");
    }

    private static String count(long n) {
        return n < 0 ? "-" : Long.toString(n);
    }
}

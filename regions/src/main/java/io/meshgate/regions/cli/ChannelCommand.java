package io.meshgate.regions.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.regions.ops.NodeClient;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** {@code channel}: one channel as every region of the mesh sees it, from one answering node per region. */
final class ChannelCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELP = """
            Usage: java -jar gateway.jar channel CHANNEL --config FILE
                   java -jar gateway.jar channel --config FILE --name CHANNEL

            Asks one node of every region (the first that answers) for its region's view of the channel
            (GET /admin/channel?name=CHANNEL) and prints one row per region:
              HOME      the channel's home as that region sees the mesh now (rows that disagree are a mesh still
                        settling, or a region cut off)
              TERM      the sequencer generation of the messages the region holds (0: none yet), FENCE the
                        highest term it promised a reconciling home
              EPOCH     the epoch clients' positions carry
              HEAD      the highest seq the region holds, DURABLE the highest that may be delivered and acked
                        (with durability: region, stored in a second region); '-' when the region has no state
                        for the channel (never used there, or swept as idle)
              SUBNODES  nodes of that region that receive the channel (nodes, not subscribers; a node keeps
                        receiving it for delivery.routeLingerMs after its last subscriber left)
              SUBS      the channel's subscribers in that region now (WebSocket subscriptions and parked
                        long-polls, added up over every node; '+?' when a node did not answer)
              INTEREST  the other regions that told this one they have subscribers (a stored copy, up to 0.5 s
                        behind what they told)
            Then the configured preference order (the home, then the next homes), the region the channel is
            pinned to ('pin'), the regions failed over ('failover') and the healthy regions.
            The command needs a mesh (two or more regions). Uses admin.token from the configuration.

            Options:
              --config FILE   the deployment's YAML configuration
              --name CHANNEL  the channel
              --help          this text

            Exit codes: 0 every region answered, 1 a region did not answer or refused (the others are still
            printed), 2 bad command line.
            """;

    private ChannelCommand() {
    }

    static int run(String[] args) {
        boolean positional = args.length > 1 && !args[1].startsWith("--");
        Args parsed = Args.parse("channel", args, positional ? 2 : 1, Set.of("--config", "--name"),
                Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("channel", "--config")));
        String name = positional ? args[1] : parsed.required("channel", "--name");
        if (config.regions().size() < 2) {
            throw new Args.UsageException("channel: the configuration has one region, no mesh: nothing to show");
        }
        String path = "/admin/channel?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        NodeClient client = new NodeClient();
        boolean all = true;
        JsonNode any = null;
        System.out.printf("%-12s %-12s %5s %5s %-14s %8s %8s %8s %6s  %s%n", "REGION", "HOME", "TERM", "FENCE",
                "EPOCH", "HEAD", "DURABLE", "SUBNODES", "SUBS", "INTEREST");
        for (GatewayConfig.RegionConfig region : config.regions()) {
            JsonNode view = null;
            String failure = "no node";
            long subscribers = 0;
            boolean everyNode = true;
            // Every node: the first answer gives the region's view, and each adds its own subscribers.
            for (GatewayConfig.NodeConfig node : region.nodes()) {
                try {
                    HttpResponse<String> answer = client.admin(NodeUrls.admin(config, node), "GET", path,
                            config.edge().adminToken());
                    if (answer.statusCode() == 200) {
                        JsonNode nodeView = JSON.readTree(answer.body());
                        if (view == null) {
                            view = nodeView;
                        }
                        long here = nodeView.path("subscribersHere").asLong(-1);
                        if (here < 0) {
                            everyNode = false;
                        } else {
                            subscribers += here;
                        }
                        continue;
                    }
                    everyNode = false;
                    failure = node.name() + " refused: HTTP " + answer.statusCode() + " " + answer.body();
                } catch (IOException e) {
                    everyNode = false;
                    failure = node.name() + " unreachable: " + NodeClient.why(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
            if (view == null) {
                all = false;
                System.out.printf("%-12s %s%n", region.name(), failure);
                continue;
            }
            any = view;
            boolean known = view.path("known").asBoolean();
            Set<String> interest = new TreeSet<>();
            view.path("peersWithInterest").forEach(r -> interest.add(r.asText()));
            System.out.printf("%-12s %-12s %5s %5s %-14s %8s %8s %8s %6s  %s%n", region.name(),
                    view.path("home").asText(), field(view, known, "term"), field(view, known, "fence"),
                    field(view, known, "epoch"), field(view, known, "head"), field(view, known, "durable"),
                    field(view, known, "nodesWithSubscribers"), subscribers + (everyNode ? "" : "+?"),
                    interest.isEmpty() ? "-" : String.join(",", interest));
        }
        if (any != null) {
            System.out.println("preference order: " + String.join(" > ", texts(any.path("preference"))));
            System.out.println("pinned to:        " + (any.path("pinnedTo").isTextual()
                    ? any.path("pinnedTo").asText() : "-"));
            java.util.List<String> failedOver = texts(any.path("failedOver"));
            System.out.println("failed over:      " + (failedOver.isEmpty() ? "-" : String.join(", ", failedOver)));
            System.out.println("healthy regions:  " + String.join(", ", texts(any.path("healthyRegions")))
                    + "  (as " + any.path("region").asText() + " sees them)");
        }
        return all ? 0 : 1;
    }

    private static String field(JsonNode view, boolean known, String name) {
        return known ? view.path(name).asText() : "-";
    }

    private static java.util.List<String> texts(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

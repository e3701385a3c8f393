package io.meshgate.regions.cli;

import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.regions.ops.NodeClient;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;

/** {@code drain}: takes one node out of service the way SIGTERM does, from anywhere that reaches its edge port. */
final class DrainCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar drain --config FILE --node NAME
                   java -jar gateway.jar drain --url URL

            Drains one node: its /readyz turns false, its clients get 'move' (naming another node of the region,
            after a jittered delay) and close 4100, publishes in flight get their acks, then the node leaves its
            cluster and its process exits. Uses admin.token from the configuration; without one, the node only
            accepts the call from its own machine (loopback).

            Options:
              --config FILE   the deployment's YAML configuration
              --node NAME     the node to drain
              --url URL       the node's edge base URL instead, without a configuration: a Kubernetes preStop
                              hook drains its own pod with --url http://127.0.0.1:8081 (loopback needs no token)
              --help          this text
            """;

    private DrainCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("drain", args, 1, Set.of("--config", "--node", "--url"), Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        String direct = parsed.value("--url");
        if (direct != null) {
            if (!direct.startsWith("http://") && !direct.startsWith("https://")) {
                throw new Args.UsageException("drain: --url must start with http:// or https://, got " + direct);
            }
            return drain(direct, direct, null);
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("drain", "--config")));
        String name = parsed.required("drain", "--node");
        GatewayConfig.NodeConfig node = config.regions().stream().flatMap(r -> r.nodes().stream())
                .filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new Args.UsageException("drain: --node " + name + " is not a node of the"
                        + " configuration"));
        return drain(name, NodeUrls.admin(config, node), config.edge().adminToken());
    }

    private static int drain(String name, String url, String adminToken) {
        try {
            HttpResponse<String> answer = new NodeClient().drain(url, adminToken);
            if (answer.statusCode() == 202) {
                System.out.println("node " + name + " (" + url + ") is draining");
                return 0;
            }
            System.err.println("node " + name + " refused to drain: HTTP " + answer.statusCode() + " "
                    + answer.body());
            return 1;
        } catch (IOException e) {
            System.err.println("node " + name + " (" + url + ") is unreachable: " + NodeClient.why(e));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}

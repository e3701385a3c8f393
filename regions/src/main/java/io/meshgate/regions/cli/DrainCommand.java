package io.meshgate.regions.cli;

import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.regions.ops.NodeClient;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code drain}: takes one node out of service the way SIGTERM does, from anywhere that reaches its edge port; with
 * {@code --keep-running} or {@code --region} takes nodes out of service without stopping them (see
 * {@link ServiceCalls}).
 */
final class DrainCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar drain --config FILE --node NAME [--keep-running] [--reason TEXT]
                   java -jar gateway.jar drain --config FILE --region NAME [--reason TEXT]
                   java -jar gateway.jar drain --url URL [--token-file FILE] [--keep-running] [--reason TEXT]

            Drains one node: its /readyz turns false, its clients get 'move' (naming another node of the region,
            after a jittered delay) and close 4100, publishes in flight get their acks, then the node leaves its
            cluster and its process exits. Uses admin.token from the configuration; without one, the node only
            accepts the call from its own machine (loopback). Each node logs the caller's address and the reason.

            With --keep-running the node stays up, out of service: /readyz says 'out of service', it is no
            longer a move target, and its clients (and any that connect meanwhile) are moved to another node of
            the region, until 'undrain'. With --region every node of the region is taken out of service that way
            and its clients are moved to another region that the mesh sees healthy (the first by name); the
            region's channels keep their home. Refused when no other region could take the clients.
            Draining what is already out of service changes nothing and succeeds.

            Options:
              --config FILE    the deployment's YAML configuration
              --node NAME      the node to drain
              --region NAME    every node of this region, kept running (implies --keep-running)
              --keep-running   take the node out of service without stopping it
              --url URL        the node's admin base URL instead (its edge URL when it has no adminPort),
                               without a configuration: a Kubernetes preStop hook drains its own pod with
                               --url http://127.0.0.1:9091 --token-file /etc/meshgate/admin/token
              --token-file FILE
                               with --url: the admin token, read from FILE (a mounted Secret); without it
                               the node accepts the call only from loopback and only when it has no admin.token
              --reason TEXT    why, for the nodes' logs (up to 200 characters are kept)
              --help           this text

            Exit codes: 0 done (or already so; a stopping drain has begun), 1 a node refused or was unreachable
            (the output says which; the command is idempotent, run it again once fixed), 2 bad command line.
            """;

    private DrainCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("drain", args, 1,
                Set.of("--config", "--node", "--region", "--url", "--reason", "--token-file"),
                Set.of("--help", "--keep-running"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        String reason = parsed.value("--reason");
        String region = parsed.value("--region");
        String inPlace = "/admin/drain?keep-running=true&scope=" + (region != null ? "region" : "node")
                + ServiceCalls.reason('&', reason);
        String direct = parsed.value("--url");
        if (direct != null) {
            checkUrl("drain", direct);
            String directToken = tokenFile(parsed.value("--token-file"));
            if (parsed.flag("--keep-running")) {
                return ServiceCalls.call(List.of(new ServiceCalls.Target(direct, direct)), inPlace, directToken);
            }
            return drain(direct, direct, directToken, reason);
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("drain", "--config")));
        if (region != null || parsed.flag("--keep-running")) {
            return ServiceCalls.call(ServiceCalls.select("drain", config, parsed.value("--node"), region), inPlace,
                    config.edge().adminToken());
        }
        String name = parsed.required("drain", "--node");
        GatewayConfig.NodeConfig node = config.regions().stream().flatMap(r -> r.nodes().stream())
                .filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new Args.UsageException("drain: --node " + name + " is not a node of the"
                        + " configuration"));
        return drain(name, NodeUrls.admin(config, node), config.edge().adminToken(), reason);
    }

    /** The token in {@code file}, stripped of the newline a Secret's file may end with; null for no file. */
    private static String tokenFile(String file) {
        return tokenFile("drain", file);
    }

    /** As {@link #tokenFile(String)}, for {@code command}'s messages. */
    static String tokenFile(String command, String file) {
        if (file == null) {
            return null;
        }
        String token;
        try {
            token = java.nio.file.Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new Args.UsageException(command + ": --token-file " + file + " cannot be read: " + e.getMessage());
        }
        if (token.isEmpty()) {
            throw new Args.UsageException(command + ": --token-file " + file + " is empty");
        }
        return token;
    }

    static void checkUrl(String command, String url) {
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new Args.UsageException(command + ": --url must start with http:// or https://, got " + url);
        }
    }

    private static int drain(String name, String url, String adminToken, String reason) {
        try {
            HttpResponse<String> answer = new NodeClient().admin(url, "POST",
                    "/admin/drain" + ServiceCalls.reason('?', reason), adminToken);
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

package io.meshgate.regions.cli;

import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code undrain}: puts nodes taken out of service with {@code drain --keep-running} or {@code --region} back. */
final class UndrainCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar undrain --config FILE (--node NAME | --region NAME) [--reason TEXT]
                   java -jar gateway.jar undrain --url URL [--token-file FILE] [--reason TEXT]

            Puts a node, or every node of a region, back in service after 'drain --keep-running' or
            'drain --region': /readyz turns true again (after drain.readyHoldMs), the node is offered again as a
            move target in its region, and clients that connect stay. Clients moved away are not called back.
            A node already in service is left as it is (the command is idempotent). A node whose stopping drain
            has begun refuses: start it again instead; so does a node of a region that is failed over: 'restore'
            puts it back. Each node logs the caller's address and the reason.
            Uses admin.token from the configuration; without one, nodes accept only loopback callers.

            Options:
              --config FILE   the deployment's YAML configuration
              --node NAME     the node to put back
              --region NAME   every node of this region
              --url URL       one node's admin base URL instead, without a configuration
              --token-file FILE
                              with --url: the admin token, read from FILE (a mounted Secret); without it
                              the node accepts the call only from loopback and only when it has no admin.token
              --reason TEXT   why, for the nodes' logs (up to 200 characters are kept)
              --help          this text

            Exit codes: 0 every node is in service (now or already), 1 a node refused or was unreachable (the
            output says which; run again once fixed), 2 bad command line.
            """;

    private UndrainCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("undrain", args, 1, Set.of("--config", "--node", "--region", "--url", "--reason", "--token-file"),
                Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        String path = "/admin/undrain" + ServiceCalls.reason('?', parsed.value("--reason"));
        String direct = parsed.value("--url");
        if (direct != null) {
            DrainCommand.checkUrl("undrain", direct);
            return ServiceCalls.call(List.of(new ServiceCalls.Target(direct, direct)), path,
                    DrainCommand.tokenFile("undrain", parsed.value("--token-file")));
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("undrain", "--config")));
        return ServiceCalls.call(ServiceCalls.select("undrain", config, parsed.value("--node"),
                parsed.value("--region")), path, config.edge().adminToken());
    }
}

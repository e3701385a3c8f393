package io.meshgate.regions.cli;

import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.regions.config.ConfigException;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** {@code token}: mints an HS256 token with the configuration's secret, for trying a deployment by hand. */
final class TokenCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar token --config FILE --sub ID [--subscribe PATTERN]... [--publish PATTERN]...
                                               [--ttl SECONDS]

            Prints a client token signed with the configuration's auth.hs256Secret. Patterns are exact channel
            names, a prefix ending in '*' (chat:*), or '*' for every channel. Production tokens come from your
            own backend; this is for trying things by hand.

            Options:
              --config FILE          configuration with auth.hs256Secret (or auth.hs256SecretFile)
              --sub ID               the client id (claim sub)
              --subscribe PATTERN    a channel pattern the token may subscribe to (repeatable; default '*')
              --publish PATTERN      a channel pattern the token may publish to (repeatable; default '*')
              --ttl SECONDS          lifetime (default 3600)
              --help                 this text
            """;

    private TokenCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("token", args, 1, Set.of("--config", "--sub", "--subscribe", "--publish", "--ttl"),
                Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("token", "--config")));
        String secret = config.auth().hs256Secret();
        if (secret == null || secret.isEmpty()) {
            throw new ConfigException("config key 'auth.hs256Secret' is not set; the token command signs with it");
        }
        List<String> subscribe = parsed.all("--subscribe").isEmpty() ? List.of("*") : parsed.all("--subscribe");
        List<String> publish = parsed.all("--publish").isEmpty() ? List.of("*") : parsed.all("--publish");
        int ttl = parsed.integer("token", "--ttl", 3600);
        if (ttl <= 0) {
            throw new Args.UsageException("token: --ttl must be positive");
        }
        System.out.println(new TokenMinter(secret).mint(parsed.required("token", "--sub"), subscribe, publish,
                Duration.ofSeconds(ttl)));
        return 0;
    }
}

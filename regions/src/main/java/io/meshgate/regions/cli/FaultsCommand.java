package io.meshgate.regions.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.relay.mesh.Faults;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code faults}: lists, sets or clears injected mesh link faults (chaos experiments) on every node of one region,
 * through each node's {@code /admin/faults}. Every node of the region gets the same change: the region's mesh
 * leader applies it to its links at once, and the other nodes hold it, so the experiment stays in force if
 * leadership moves. One line per node; exit code 0 when every node answered, 1 when any refused or was unreachable
 * (the calls are idempotent, so running the command again finishes a partial run), 2 for a bad command line.
 */
final class FaultsCommand {
    private static final String HELP = """
            Usage: java -jar gateway.jar faults --config FILE --region NAME                       (list)
                   java -jar gateway.jar faults --config FILE --region NAME --peer PEER
                          [--latency-ms N] [--jitter-ms N] [--drop P] [--cut] [--reason TEXT]    (set)
                   java -jar gateway.jar faults --config FILE --region NAME --clear [--peer PEER] [--reason TEXT]

            Fault injection for chaos experiments into the mesh links from region NAME to region PEER: extra
            one-way latency (plus uniform jitter, each at most 60000 ms), a share of frames dropped (0..1), or
            the link cut (heartbeats go unanswered, the link goes down, traffic goes through another region).
            Faults act on frames NAME sends; to slow both directions run the command for PEER too. Setting a
            peer's fault replaces the one it had; --clear without --peer clears every fault of the region.
            The change goes to every node of NAME: its mesh leader applies it now, the other nodes keep it for
            when they lead. Nodes refuse (HTTP 403) unless their configuration says admin.faults: true; never
            enable that in production. Each node logs the caller's address and the reason. Uses admin.token from
            the configuration; without one, nodes accept only loopback callers.

            Options:
              --config FILE      the deployment's YAML configuration
              --region NAME      the region whose links get the fault
              --peer PEER        the other end of the link
              --latency-ms N     one-way delay added to every frame (default 0)
              --jitter-ms N      up to this much more, uniformly at random per frame (default 0)
              --drop P           probability that a frame is dropped, 0..1 (default 0)
              --cut              drop every frame
              --clear            remove the fault of --peer, or every fault of the region
              --reason TEXT      why, for the nodes' logs (up to 200 characters are kept)
              --help             this text

            Exit codes: 0 every node answered (the output shows the faults in force on each), 1 a node refused or
            was unreachable (the output says which and why), 2 bad command line.
            """;

    private FaultsCommand() {
    }

    static int run(String[] args) {
        Args parsed = Args.parse("faults", args, 1, Set.of("--config", "--region", "--peer", "--latency-ms",
                "--jitter-ms", "--drop", "--reason"), Set.of("--cut", "--clear", "--help"));
        if (parsed.flag("--help")) {
            System.out.print(HELP);
            return 0;
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required("faults", "--config")));
        String region = parsed.required("faults", "--region");
        String peer = parsed.value("--peer");
        boolean clear = parsed.flag("--clear");
        boolean set = peer != null && !clear;
        boolean hasFault = parsed.value("--latency-ms") != null || parsed.value("--jitter-ms") != null
                || parsed.value("--drop") != null || parsed.flag("--cut");
        if (hasFault && !set) {
            throw new Args.UsageException("faults: --latency-ms, --jitter-ms, --drop and --cut need --peer and no"
                    + " --clear");
        }
        if (peer != null && peer.equals(region)) {
            throw new Args.UsageException("faults: --peer must be another region than --region");
        }
        if (peer != null && config.regions().stream().noneMatch(r -> r.name().equals(peer))) {
            throw new Args.UsageException("faults: --peer " + peer + " is not in the configuration");
        }
        List<ServiceCalls.Target> targets = ServiceCalls.select("faults", config, null, region);
        String method = clear ? "DELETE" : set ? "POST" : "GET";
        StringBuilder query = new StringBuilder();
        if (peer != null) {
            query.append("&peer=").append(URLEncoder.encode(peer, StandardCharsets.UTF_8));
        }
        if (set) {
            query.append("&latencyMs=").append(milliseconds(parsed.integer("faults", "--latency-ms", 0),
                            "--latency-ms"))
                    .append("&jitterMs=").append(milliseconds(parsed.integer("faults", "--jitter-ms", 0),
                            "--jitter-ms"))
                    .append("&drop=").append(probability(parsed.value("--drop")))
                    .append("&cut=").append(parsed.flag("--cut"));
        }
        if (!method.equals("GET")) {
            query.append(ServiceCalls.reason('&', parsed.value("--reason")));
        }
        String path = "/admin/faults" + (query.isEmpty() ? "" : "?" + query.substring(1));
        return ServiceCalls.call(targets, method, path, config.edge().adminToken(), FaultsCommand::describe);
    }

    /** A latency or jitter the nodes take (0 to {@link Faults.LinkFault#MAX_MS}); anything else: bad command line. */
    private static long milliseconds(long value, String option) {
        if (value < 0 || value > Faults.LinkFault.MAX_MS) {
            throw new Args.UsageException("faults: " + option + " must be between 0 and " + Faults.LinkFault.MAX_MS
                    + ", got " + value);
        }
        return value;
    }

    private static double probability(String value) {
        if (value == null) {
            return 0;
        }
        try {
            double p = Double.parseDouble(value);
            if (p >= 0 && p <= 1) {
                return p;
            }
        } catch (NumberFormatException e) {
            // answered below, like any other value outside 0..1
        }
        throw new Args.UsageException("faults: --drop must be a probability between 0 and 1, got '" + value + "'");
    }

    /** "faults in force: eu-west latency 200 ms + 0..10 ms jitter, drop 0.0" or "no faults in force". */
    static String describe(JsonNode answer) {
        String enabled = answer.path("enabled").asBoolean() ? "" : " (fault injection is off on this node)";
        List<String> links = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = answer.path("faults").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> link = it.next();
            JsonNode f = link.getValue();
            links.add(link.getKey() + (f.path("cut").asBoolean() ? " cut" : " latency " + f.path("latencyMs").asLong()
                    + " ms + 0.." + f.path("jitterMs").asLong() + " ms jitter, drop " + f.path("drop").asDouble()));
        }
        return (links.isEmpty() ? "no faults in force" : "faults in force: " + String.join("; ", links)) + enabled;
    }
}

package io.meshgate.regions.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.regions.ops.NodeClient;
import io.meshgate.relay.channel.ChannelNames;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The commands that change channel homes: {@code failover --region R}, {@code restore --region R},
 * {@code pin --channel C --region R}, {@code unpin --channel C}. The change goes to the first node, in configuration
 * order, whose region's mesh leader answers (always the same region while it is up, so changes are decided in one
 * place); that leader decides it and spreads it to every region. {@code failover} and {@code restore} then take R's
 * nodes out of service / put them back ({@code drain --region}, {@code undrain --region}), so R's clients move.
 */
final class HomeCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long {@code restore} asks the region's nodes again while they still count it failed over. */
    private static final long RESTORE_PATIENCE_MS = 15_000;
    private static final String COMMON = """

            The change is sent to one node (the first in the configuration whose region's mesh leader answers),
            decided by that region's mesh leader and spread to every region on the mesh heartbeats; every region
            keeps it, so it survives the restart of any one region (one that restarts is taught it again by its
            peers). Each node logs the caller's address and the reason. Uses admin.token from the configuration.
            Needs mesh.durability: region and three or more regions (otherwise homes never move: refused).

            Exit codes: 0 done, or already so (the command is idempotent), 1 refused (the output says why; nothing
            changed), no node answered, or (failover, restore) the change was made but a node of the region could
            not be taken out of / put back in service (the output names it: run the command again once it is up;
            a failed-over region's nodes also leave service by themselves when they see the change), 2 bad
            command line.
            """;
    private static final String FAILOVER = """
            Usage: java -jar gateway.jar failover --config FILE --region NAME [--reason TEXT]

            Fails region NAME over: every region stops counting it as a home, so each channel homed there moves to
            its next home by the planned handover (the new home reconciles at a higher term; publishes in flight
            are refused and retried by id, none lost); then NAME's nodes are taken out of service like
            'drain --region' (their clients get 'move' to another region, jittered, with reason failover) and
            keep running, storing copies but serving no channels until 'restore'. Refused when no other live
            region would be left.
            """ + COMMON;
    private static final String RESTORE = """
            Usage: java -jar gateway.jar restore --config FILE --region NAME [--reason TEXT]

            Reverses 'failover': region NAME counts as a home again, its channels come back by the same planned
            handover, and its nodes are put back in service like 'undrain --region'. Refused while NAME is not live
            (down, or back for less than mesh.failbackHoldMs): wait until 'status' shows it ready.
            """ + COMMON;
    private static final String PIN = """
            Usage: java -jar gateway.jar pin --config FILE --channel CHANNEL --region NAME [--reason TEXT]

            Fixes CHANNEL's home to region NAME (by the planned handover if it was elsewhere) while NAME is live;
            if NAME goes down the channel fails over as usual and comes back when NAME does. Shown by 'status'
            and 'channel'. Refused when NAME is not live, or is failed over. At most 1000 channels are pinned.
            """ + COMMON;
    private static final String UNPIN = """
            Usage: java -jar gateway.jar unpin --config FILE --channel CHANNEL [--reason TEXT]

            Removes CHANNEL's pin: its home is its rendezvous ranking's again (moved by the planned handover).
            """ + COMMON;

    private HomeCommand() {
    }

    static int run(String command, String[] args) {
        boolean channelCommand = command.equals("pin") || command.equals("unpin");
        boolean regionCommand = !command.equals("unpin");
        Set<String> valued = new java.util.HashSet<>(Set.of("--config", "--reason"));
        if (channelCommand) {
            valued.add("--channel");
        }
        if (regionCommand) {
            valued.add("--region");
        }
        Args parsed = Args.parse(command, args, 1, valued, Set.of("--help"));
        if (parsed.flag("--help")) {
            System.out.print(switch (command) {
                case "failover" -> FAILOVER;
                case "restore" -> RESTORE;
                case "pin" -> PIN;
                default -> UNPIN;
            });
            return 0;
        }
        GatewayConfig config = GatewayConfigLoader.load(Path.of(parsed.required(command, "--config")));
        String region = regionCommand ? parsed.required(command, "--region") : null;
        String channel = channelCommand ? parsed.required(command, "--channel") : null;
        if (region != null && config.regions().stream().noneMatch(r -> r.name().equals(region))) {
            throw new Args.UsageException(command + ": --region " + region + " is not in the configuration");
        }
        if (channel != null && !ChannelNames.isValid(channel)) {
            throw new Args.UsageException(command + ": --channel " + channel + " is not a valid channel name");
        }
        String reason = parsed.value("--reason");
        StringBuilder path = new StringBuilder("/admin/").append(command).append('?');
        if (region != null) {
            path.append("region=").append(URLEncoder.encode(region, StandardCharsets.UTF_8)).append('&');
        }
        if (channel != null) {
            path.append("channel=").append(URLEncoder.encode(channel, StandardCharsets.UTF_8)).append('&');
        }
        path.setLength(path.length() - 1);
        String what = command + (channel != null ? " " + channel : "") + (region != null
                ? (channel != null ? " -> " : " ") + region : "");
        if (!decide(config, path + ServiceCalls.reason('&', reason), what)) {
            return 1;
        }
        if (command.equals("failover")) {
            return ServiceCalls.call(ServiceCalls.select(command, config, null, region),
                    "/admin/drain?keep-running=true&scope=region&cause=failover" + ServiceCalls.reason('&', reason),
                    config.edge().adminToken());
        }
        if (command.equals("restore")) {
            // The region's nodes refuse an undrain while they still count it failed over: the restore reaches them
            // over the mesh's heartbeats, a moment after it was decided.
            return ServiceCalls.call(ServiceCalls.select(command, config, null, region), "POST",
                    "/admin/undrain" + ServiceCalls.reason('?', reason), config.edge().adminToken(),
                    ServiceCalls::describe, "is failed over", RESTORE_PATIENCE_MS, java.time.Clock.systemUTC());
        }
        return 0;
    }

    /** Sends the change to the first node that can have it decided; prints the outcome; true when done. */
    private static boolean decide(GatewayConfig config, String pathAndQuery, String what) {
        NodeClient client = new NodeClient();
        List<String> failures = new ArrayList<>();
        for (GatewayConfig.RegionConfig r : config.regions()) {
            for (GatewayConfig.NodeConfig n : r.nodes()) {
                String url = NodeUrls.admin(config, n);
                try {
                    HttpResponse<String> answer = client.admin(url, "POST", pathAndQuery, config.edge().adminToken());
                    JsonNode body = JSON.readTree(answer.body());
                    if (answer.statusCode() == 200) {
                        System.out.println(what + ": " + (body.path("changed").asBoolean() ? "done" : "already so,"
                                + " nothing changed") + " (decided in region " + r.name() + ", node " + n.name()
                                + "; home overrides version " + body.path("version").asLong() + ": failed over "
                                + texts(body.path("failedOver")) + ", " + body.path("pins").size() + " pinned)");
                        return true;
                    }
                    if (answer.statusCode() == 409 || answer.statusCode() == 400 || answer.statusCode() == 403) {
                        System.err.println(what + ": refused by node " + n.name() + " (HTTP " + answer.statusCode()
                                + "): " + body.path("reason").asText(answer.body()));
                        return false;
                    }
                    failures.add(n.name() + ": HTTP " + answer.statusCode() + " " + body.path("reason").asText());
                } catch (IOException e) {
                    failures.add(n.name() + " unreachable: " + NodeClient.why(e));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        System.err.println(what + ": no node could have it decided, nothing changed:\n  "
                + String.join("\n  ", failures));
        return false;
    }

    private static String texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out.isEmpty() ? "none" : String.join(",", out);
    }
}

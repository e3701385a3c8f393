package io.meshgate.regions.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.ops.NodeClient;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Takes nodes out of service or puts them back ({@code drain --keep-running}, {@code drain --region},
 * {@code undrain}): one admin call per selected node, one line printed per node. Exit code 0 when every node
 * answered that it is (now or already) in the asked state, 1 when any refused or was unreachable; the calls are
 * idempotent, so running the command again finishes what a partial run began.
 */
final class ServiceCalls {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One node to call: its name for the output and where its admin endpoints answer. */
    record Target(String node, String url) {
    }

    private ServiceCalls() {
    }

    /** The nodes {@code --node} or {@code --region} names (exactly one of them); a usage error otherwise. */
    static List<Target> select(String command, GatewayConfig config, String node, String region) {
        if ((node == null) == (region == null)) {
            throw new Args.UsageException(command + ": give exactly one of --node NAME and --region NAME");
        }
        List<Target> out = new ArrayList<>();
        for (GatewayConfig.RegionConfig r : config.regions()) {
            for (GatewayConfig.NodeConfig n : r.nodes()) {
                if (n.name().equals(node) || r.name().equals(region)) {
                    out.add(new Target(n.name(), NodeUrls.admin(config, n)));
                }
            }
        }
        if (out.isEmpty()) {
            throw new Args.UsageException(command + ": " + (node != null ? "--node " + node : "--region " + region)
                    + " is not in the configuration");
        }
        return out;
    }

    /** {@code ?reason=...} (percent-encoded) to append to an admin path, after {@code first} ('?' or '&'). */
    static String reason(char first, String reason) {
        return reason == null ? "" : first + "reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8);
    }

    /** POSTs {@code pathAndQuery} to every target and prints each answer; returns the exit code. */
    static int call(List<Target> targets, String pathAndQuery, String adminToken) {
        return call(targets, "POST", pathAndQuery, adminToken, ServiceCalls::describe);
    }

    /**
     * Sends {@code method pathAndQuery} to every target and prints each 200 answer as {@code describe} words it;
     * returns the exit code (0 every target answered 200, 1 otherwise).
     */
    static int call(List<Target> targets, String method, String pathAndQuery, String adminToken,
                    Function<JsonNode, String> describe) {
        return call(targets, method, pathAndQuery, adminToken, describe, null, 0, java.time.Clock.systemUTC());
    }

    /**
     * As {@link #call(List, String, String, String, Function)}, but a target that refuses with 409 and a reason
     * containing {@code retryOn} is asked again every 250 ms for up to {@code patienceMs} (by {@code clock}): for
     * {@code restore}, whose undrain a node refuses until the restore has reached it over the mesh.
     */
    static int call(List<Target> targets, String method, String pathAndQuery, String adminToken,
                    Function<JsonNode, String> describe, String retryOn, long patienceMs, java.time.Clock clock) {
        NodeClient client = new NodeClient();
        boolean allDone = true;
        long until = clock.millis() + patienceMs;
        for (Target target : targets) {
            String prefix = "node " + target.node() + " (" + target.url() + "): ";
            try {
                HttpResponse<String> answer = client.admin(target.url(), method, pathAndQuery, adminToken);
                while (retryOn != null && answer.statusCode() == 409 && answer.body().contains(retryOn)
                        && clock.millis() < until) {
                    Thread.sleep(250);
                    answer = client.admin(target.url(), method, pathAndQuery, adminToken);
                }
                if (answer.statusCode() == 200) {
                    System.out.println(prefix + describe.apply(JSON.readTree(answer.body())));
                } else {
                    allDone = false;
                    System.err.println(prefix + "refused: HTTP " + answer.statusCode() + " " + answer.body());
                }
            } catch (IOException e) {
                allDone = false;
                System.err.println(prefix + "unreachable: " + NodeClient.why(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        return allDone ? 0 : 1;
    }

    static String describe(JsonNode answer) {
        String state = answer.path("state").asText().replace('_', ' ');
        if (!answer.path("changed").asBoolean()) {
            return "already " + (state.equals("serving") ? "in service" : state) + ", nothing changed";
        }
        return state.equals("serving") ? "back in service"
                : "now " + state + "; its clients move to " + answer.path("movedTo").asText();
    }
}

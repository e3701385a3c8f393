package io.meshgate.chaos;

import io.meshgate.chaos.faults.ProxiedAddress;
import io.meshgate.chaos.faults.ToxiproxyHandle;
import io.meshgate.client.MeshgateClient;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.Ports;
import io.meshgate.relay.mesh.Rendezvous;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The scenarios' deployment: the three regions us-east, eu-west and ap-south, each of one or two {@code gateway.jar
 * node} processes on 127.0.0.1, written to one configuration file as an operator would. Regions named in
 * {@code proxied} (one node each) advertise their relay port through a proxy of the fault proxy, so every link
 * <em>dialed to</em> them can be delayed or held: the region with the smaller name dials, so us-east's proxy carries
 * both of its links and eu-west's only the one from ap-south.
 *
 * <p>Called from the test thread only.
 */
final class ChaosMesh implements AutoCloseable {
    static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    private static final String SECRET = "chaos-secret-chaos-secret-chaos-secret-0123";

    private final String scenario;
    private final Path dir;
    private final Path config;
    private final Map<String, List<String>> nodesByRegion;
    private final Map<String, Integer> edgePorts;
    private final Map<String, GatewayProcess> processes = new LinkedHashMap<>();
    private final Map<String, ProxiedAddress> proxies;
    private final String token;
    private int restarts;

    private ChaosMesh(String scenario, Path dir, Path config, Map<String, List<String>> nodesByRegion,
                      Map<String, Integer> edgePorts, Map<String, ProxiedAddress> proxies) {
        this.scenario = scenario;
        this.dir = dir;
        this.config = config;
        this.nodesByRegion = nodesByRegion;
        this.edgePorts = edgePorts;
        this.proxies = proxies;
        this.token = new TokenMinter(SECRET).mint("chaos", List.of("*"), List.of("*"), Duration.ofHours(1));
    }

    /**
     * Writes the configuration, starts every node and waits until every region has all its members and every link
     * is up. On {@link #close()} every node's log (and flight recording, with {@code -Dchaos.jfr}) is copied to
     * {@code target/chaos-reports/<scenario>-logs/}.
     *
     * @param settings extra configuration keys, dotted ({@code history.maxMessages}), over the scenarios' defaults
     */
    static ChaosMesh start(String scenario, Path dir, int nodesPerRegion, Set<String> proxied,
                           ToxiproxyHandle toxiproxy, Map<String, Object> settings) throws IOException {
        Map<String, List<String>> nodesByRegion = new LinkedHashMap<>();
        Map<String, Integer> edgePorts = new LinkedHashMap<>();
        Map<String, ProxiedAddress> proxies = new LinkedHashMap<>();
        StringBuilder yaml = new StringBuilder("regions:\n");
        for (String region : REGIONS) {
            yaml.append("  - name: ").append(region).append("\n    nodes:\n");
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= nodesPerRegion; i++) {
                String node = region + "-" + i;
                int edge = Ports.free();
                int relay = Ports.free();
                names.add(node);
                edgePorts.put(node, edge);
                String advertise = "";
                if (proxied.contains(region)) {
                    ProxiedAddress via = toxiproxy.proxy(region + "-relay", "127.0.0.1", relay);
                    proxies.put(region, via);
                    advertise = ", relayAdvertise: \"" + via.hostPort() + "\"";
                }
                yaml.append("      - {name: %s, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d%s}\n"
                        .formatted(node, edge, relay, Ports.free(), advertise));
            }
            nodesByRegion.put(region, names);
        }
        Map<String, Object> all = new TreeMap<>(Map.of("drain.timeoutMs", 2000, "drain.moveJitterMs", 500,
                "drain.readyHoldMs", 1000, "mesh.heartbeatMs", 250, "mesh.reconnectMaxMs", 1000));
        all.putAll(settings);
        yaml.append("auth:\n  hs256Secret: \"").append(SECRET).append("\"\n");
        Map<String, Map<String, Object>> sections = new TreeMap<>();
        all.forEach((key, value) -> sections.computeIfAbsent(key.substring(0, key.indexOf('.')), k -> new TreeMap<>())
                .put(key.substring(key.indexOf('.') + 1), value));
        sections.forEach((section, keys) -> {
            yaml.append(section).append(":\n");
            keys.forEach((key, value) -> yaml.append("  ").append(key).append(": ").append(value).append('\n'));
        });
        Path config = dir.resolve("mesh.yaml");
        Files.writeString(config, yaml.toString());
        ChaosMesh mesh = new ChaosMesh(scenario, dir, config, nodesByRegion, edgePorts, proxies);
        try {
            edgePorts.keySet().forEach(mesh::launch);
            mesh.awaitFormed("every node up, every link up");
        } catch (RuntimeException | Error e) {
            mesh.close();
            throw e;
        }
        return mesh;
    }

    Path config() {
        return config;
    }

    String token() {
        return token;
    }

    GatewayProcess node(String name) {
        return processes.get(name);
    }

    List<String> nodesOf(String region) {
        return nodesByRegion.get(region);
    }

    ProxiedAddress proxy(String region) {
        return proxies.get(region);
    }

    /** The first channel {@code <prefix>-N} whose home (rendezvous rank 1) is {@code region}. */
    static String channelHomedIn(String region, String prefix) {
        for (int i = 0; ; i++) {
            String candidate = prefix + "-" + i;
            if (Rendezvous.home(candidate, REGIONS).equals(region)) {
                return candidate;
            }
        }
    }

    /** The region a channel moves to when its home is down: the runner-up of its ranking. */
    static String runnerUp(String channel) {
        return Rendezvous.rank(channel, REGIONS).get(1);
    }

    /**
     * A Java client seeded with {@code region}'s nodes first and then every other node. {@code pinned}: it considers
     * only that region, so it waits for it (and resumes there) rather than move elsewhere.
     */
    MeshgateClient client(String clientId, String region, boolean pinned) {
        List<String> order = new ArrayList<>(nodesOf(region));
        edgePorts.keySet().stream().filter(n -> !order.contains(n)).forEach(order::add);
        MeshgateClient.Builder builder = MeshgateClient.builder(URI.create(httpUrl(order.get(0))));
        order.forEach(n -> builder.seed(URI.create(httpUrl(n))));
        if (pinned) {
            builder.regions(region);
        }
        return builder.backoff(Duration.ofMillis(250), Duration.ofSeconds(2)).token(token).clientId(clientId).build();
    }

    /** WebSocket URLs of a region's nodes. */
    List<String> wsUrls(String region) {
        return nodesOf(region).stream().map(n -> "ws://127.0.0.1:" + edgePorts.get(n) + "/v1/ws").toList();
    }

    private String httpUrl(String node) {
        return "http://127.0.0.1:" + edgePorts.get(node);
    }

    /** SIGKILL. */
    void kill(String node) {
        processes.get(node).kill();
    }

    /**
     * Starts a stopped (killed or drained) node again, empty, with the same configuration; its log goes apart.
     *
     * <p>Diagnostic switch {@code -Dchaos.restartNice=N}: the restarted JVM runs under {@code nice -n N}. On the
     * 2-core machine every node shares the cores a starting JVM's class loading and JIT compilers take for seconds,
     * which a real deployment (one node per host) does not; running the scenario both ways tells that cost apart
     * from the gateway's own. Off by default, and no test turns it on.
     */
    void restart(String node) {
        Integer nice = Integer.getInteger("chaos.restartNice");
        List<String> prefix = nice == null ? List.of() : List.of("nice", "-n", nice.toString());
        try {
            Path logs = Files.createDirectories(dir.resolve("restart-" + ++restarts));
            processes.put(node, GatewayProcess.start(config, node, edgePorts.get(node), logs, prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch(String node) {
        processes.put(node, GatewayProcess.start(config, node, edgePorts.get(node), dir));
    }

    /** {@code gateway.jar drain}, then waits for the node to finish draining and exit. */
    void drain(String node) {
        GatewayProcess.drain(config, node);
        if (!processes.get(node).awaitExit(Duration.ofSeconds(60))) {
            fail(node + " did not stop within 60 s of its drain\n" + processes.get(node).logTail());
        }
    }

    /** Waits until every running node sees its region complete and every link of the mesh up. */
    void awaitFormed(String why) {
        try {
            await(why).atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (Map.Entry<String, List<String>> region : nodesByRegion.entrySet()) {
                    for (String node : region.getValue()) {
                        GatewayProcess p = processes.get(node);
                        if (!p.isAlive() || !p.allLinksUp(REGIONS.size() - 1)
                                || p.metric("meshgate_region_members") != region.getValue().size()) {
                            return false;
                        }
                    }
                }
                return true;
            });
        } catch (RuntimeException e) {
            fail(why + ": not reached\n" + logTails(), e);
        }
    }

    String logTails() {
        List<String> tails = new ArrayList<>();
        processes.values().forEach(p -> tails.add(p.logTail()));
        return String.join("\n", tails);
    }

    @Override
    public void close() {
        processes.values().forEach(GatewayProcess::close);
        Path keep = Path.of("target", "chaos-reports", scenario + "-logs");
        try (var logs = Files.walk(dir)) {
            Files.createDirectories(keep);
            for (Path log : logs.filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".jfr")).toList()) {
                Files.copy(log, keep.resolve(dir.relativize(log).toString().replace('/', '_')),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.meshgate.edge.testing;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.delivery.FeedSettings;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.EdgeSettings;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.server.TlsSettings;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.node.RelaySettings;
import io.meshgate.relay.region.HazelcastSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A real region in this JVM: N nodes, each a Hazelcast member of one fresh cluster, a relay and an edge on free
 * loopback ports. {@code TestRegion.nodes(2).secret(S).start()}.
 */
public final class TestRegion implements AutoCloseable {
    public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

    private final List<EdgeNode> nodes = new ArrayList<>();
    private final List<NodeSettings> settings = new ArrayList<>();

    private int size = 1;
    private boolean insecure;
    private HistoryLimits history = HistoryLimits.DEFAULTS;
    private UnaryOperator<EdgeSettings> edgeTweak = UnaryOperator.identity();
    private TlsSettings tls;
    private long skewSeconds = AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS;
    private FeedSettings feeds = new FeedSettings(200, 10_000, 2_000, 1_000, 3_000);

    public static TestRegion nodes(int size) {
        TestRegion region = new TestRegion();
        region.size = size;
        return region;
    }

    public TestRegion insecure() {
        this.insecure = true;
        return this;
    }

    /** HS256 with {@link #SECRET} and the given clock skew (0 makes token expiry tests fast). */
    public TestRegion clockSkewSeconds(long seconds) {
        this.skewSeconds = seconds;
        return this;
    }

    public TestRegion history(HistoryLimits limits) {
        this.history = limits;
        return this;
    }

    public TestRegion edge(UnaryOperator<EdgeSettings> tweak) {
        this.edgeTweak = tweak;
        return this;
    }

    public TestRegion tls(TlsSettings tlsSettings) {
        this.tls = tlsSettings;
        return this;
    }

    public TestRegion feeds(FeedSettings feedSettings) {
        this.feeds = feedSettings;
        return this;
    }

    public TestRegion start() {
        String cluster = "test-" + UUID.randomUUID();
        List<Integer> hzPorts = new ArrayList<>();
        List<String> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int port = Ports.free();
            hzPorts.add(port);
            members.add("127.0.0.1:" + port);
        }
        AuthSettings auth = insecure ? AuthSettings.insecure()
                : new AuthSettings(AuthSettings.MODE_JWT, SECRET, List.of(), List.of(), skewSeconds);
        for (int i = 0; i < size; i++) {
            EdgeSettings edge = edgeTweak.apply(EdgeSettings.defaults("test-region", "node-" + (i + 1),
                    "127.0.0.1", 0));
            RelaySettings relay = new RelaySettings(edge.region(), edge.node(), "127.0.0.1", "127.0.0.1", 0,
                    new HazelcastSettings(cluster, "127.0.0.1", hzPorts.get(i), members, 1), history, 256, 10_000,
                    null, null);
            NodeSettings node = new NodeSettings(edge, relay, auth, feeds, "127.0.0.1", peers(i), tls, Map.of());
            settings.add(node);
            nodes.add(EdgeNode.start(node));
        }
        return this;
    }

    /** The other nodes as the configuration names them: edge port 0, so any port they announce is theirs. */
    private List<String> peers(int self) {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (i != self) {
                peers.add((tls != null ? "wss" : "ws") + "://127.0.0.1:0/v1/ws");
            }
        }
        return peers;
    }

    public EdgeNode node(int index) {
        return nodes.get(index);
    }

    public String wsUrl(int index) {
        return nodes.get(index).wsUrl();
    }

    public String httpUrl(int index) {
        return nodes.get(index).httpUrl();
    }

    /** Stops a node the hard way: its member is terminated without handing anything over. */
    public void kill(int index) {
        EdgeNode node = nodes.get(index);
        node.relay().region().hazelcast().getLifecycleService().terminate();
        node.close();
    }

    @Override
    public void close() {
        for (EdgeNode node : nodes) {
            try {
                node.relay().region().hazelcast().getLifecycleService().terminate();
            } catch (RuntimeException ignored) {
                // already stopped
            }
            node.close();
        }
    }
}

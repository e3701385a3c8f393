package io.meshgate.regions.config;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.delivery.FeedSettings;
import io.meshgate.edge.server.EdgeSettings;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.server.TlsSettings;
import io.meshgate.edge.session.Limits;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.region.HazelcastSettings;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole deployment as configured: its regions and nodes, and the settings every node shares. Turn it into one
 * node's settings with {@link #nodeSettings(String)}.
 */
public record GatewayConfig(List<RegionConfig> regions, AuthSettings auth, HistoryLimits history, Limits limits,
                            EdgeTuning edge, FeedSettings delivery, int backupCount, long backupAckTimeoutMs,
                            long memberTimeoutMs, int publishBatchMax, int publishQueueMax, TlsSettings tls) {

    /** One region: a Hazelcast cluster of nodes, reached by clients at {@code publicUrl}. */
    public record RegionConfig(String name, String publicUrl, List<NodeConfig> nodes) {
    }

    /**
     * One node: the host clients and peers reach it by, the address its sockets bind, and its ports.
     */
    public record NodeConfig(String name, String host, String bindHost, int edgePort, int relayPort,
                             int clusterPort) {
    }

    /** Edge settings shared by every node; the names match {@link EdgeSettings}. */
    public record EdgeTuning(long pingMs, long connectTimeoutMs, long closeGraceMs, int outboundMaxFrames,
                             long outboundMaxBytes, int badFramesPerMinute, int publishesPerSecond,
                             int clientPublishesPerSecond,
                             int rateLimitedCloseAfter, int pollDefaultWaitS, int pollMaxWaitS, int pollMaxMessages,
                             int pollMaxChannels, int pollMaxInFlight, long moveJitterMs, long drainTimeoutMs, long readyHoldMs,
                             String adminToken) {
    }

    public NodeSettings nodeSettings(String nodeName) {
        for (RegionConfig region : regions) {
            for (NodeConfig node : region.nodes()) {
                if (node.name().equals(nodeName)) {
                    return settingsFor(region, node);
                }
            }
        }
        List<String> known = new ArrayList<>();
        regions.forEach(r -> r.nodes().forEach(n -> known.add(n.name())));
        throw new ConfigException("--node " + nodeName + " is not a node of the configuration; nodes are " + known);
    }

    private NodeSettings settingsFor(RegionConfig region, NodeConfig node) {
        EdgeTuning t = edge;
        EdgeSettings edgeSettings = new EdgeSettings(region.name(), node.name(), node.host(), node.edgePort(),
                region.publicUrl(), limits, t.pingMs(), t.connectTimeoutMs(), t.outboundMaxFrames(),
                t.outboundMaxBytes(), t.badFramesPerMinute(), t.publishesPerSecond(), t.clientPublishesPerSecond(),
                t.rateLimitedCloseAfter(),
                t.pollDefaultWaitS(), t.pollMaxWaitS(), t.pollMaxMessages(), t.pollMaxChannels(), t.pollMaxInFlight(),
                t.closeGraceMs(),
                t.moveJitterMs(), t.drainTimeoutMs(), t.readyHoldMs(), t.adminToken());
        List<String> members = new ArrayList<>();
        List<String> peers = new ArrayList<>();
        for (NodeConfig other : region.nodes()) {
            members.add(other.host() + ":" + other.clusterPort());
            if (!other.name().equals(node.name())) {
                peers.add((tls != null ? "wss://" : "ws://") + other.host() + ":" + other.edgePort() + "/v1/ws");
            }
        }
        HazelcastSettings cluster = new HazelcastSettings("meshgate-" + region.name(), node.bindHost(), node.host(),
                node.clusterPort(), members, backupCount, backupAckTimeoutMs, memberTimeoutMs);
        return new NodeSettings(edgeSettings, cluster, history, auth, delivery, node.bindHost(), node.relayPort(),
                publishBatchMax,
                publishQueueMax, peers, tls);
    }
}

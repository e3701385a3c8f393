package io.meshgate.regions.config;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.delivery.FeedSettings;
import io.meshgate.edge.server.EdgeGuards;
import io.meshgate.edge.server.EdgeSettings;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.server.TlsSettings;
import io.meshgate.edge.session.Limits;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.link.LinkTlsSettings;
import io.meshgate.relay.mesh.Durability;
import io.meshgate.relay.mesh.MeshSettings;
import io.meshgate.relay.mesh.PeerAddress;
import io.meshgate.relay.node.RelaySettings;
import io.meshgate.relay.region.ClusterSecret;
import io.meshgate.relay.region.HazelcastSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A whole deployment as configured: its regions and nodes, and the settings every node shares. Turn it into one
 * node's settings with {@link #nodeSettings(String)}. {@code clusterSecret} ({@code cluster.secret}) is null when none
 * is configured; it is read by the process that loads the file, so each region's nodes may be given their own.
 */
public record GatewayConfig(List<RegionConfig> regions, AuthSettings auth, HistoryLimits history, Limits limits,
                            EdgeTuning edge, FeedSettings delivery, int backupCount, long backupAckTimeoutMs,
                            long memberTimeoutMs, int publishBatchMax, int publishQueueMax, TlsSettings tls,
                            MeshConfig mesh, ClusterSecret clusterSecret) {

    /**
     * The relay mesh between regions; used when more than one region is configured.
     *
     * @param stateDir where nodes keep what must survive a restart of every node, one sub-directory per node
     *                 ({@code mesh.stateDir}); null: kept in memory only (a configuration read from no file: the demo)
     */
    public record MeshConfig(Durability durability, long heartbeatMs, int downAfterMissed, int upAfterGood,
                             int linkQueueMax, long requestTimeoutMs, long reconnectMaxMs, long failbackHoldMs,
                             Map<String, Long> emulatedRttMs, LinkTlsSettings tls, java.nio.file.Path stateDir) {
        /** The file in {@code stateDir} where {@code node} keeps the home overrides, or null. */
        public java.nio.file.Path overridesFile(String node) {
            return stateDir == null ? null : stateDir.resolve(node).resolve("home-overrides.properties");
        }

        /** The key of a region pair in {@link #emulatedRttMs}, the same whichever way round they are named. */
        public static String pairKey(String a, String b) {
            return a.compareTo(b) < 0 ? a + "/" + b : b + "/" + a;
        }
    }

    /**
     * One region: a Hazelcast cluster of nodes, reached by clients at {@code publicUrl}. With
     * {@code kubernetesServiceDns} its members find each other through that headless Service's DNS records instead
     * of the node list (which still names the nodes for the relay, moves and {@code status}).
     */
    public record RegionConfig(String name, String publicUrl, List<NodeConfig> nodes, String kubernetesServiceDns) {
    }

    /**
     * One node: the host clients and peers reach it by, the address its sockets bind, and its ports.
     */
    public record NodeConfig(String name, String host, String bindHost, int edgePort, int relayPort,
                             int clusterPort, String relayAdvertise, String clusterBindHost,
                             int adminPort) {

        /** Where other regions dial this node's relay. */
        public PeerAddress relayAddress() {
            if (relayAdvertise != null) {
                int colon = relayAdvertise.lastIndexOf(':');
                return new PeerAddress(relayAdvertise.substring(0, colon),
                        Integer.parseInt(relayAdvertise.substring(colon + 1)));
            }
            return new PeerAddress(host, relayPort);
        }
    }

    /** Edge settings shared by every node; the names match {@link EdgeSettings}. */
    public record EdgeTuning(long pingMs, long connectTimeoutMs, long closeGraceMs, int outboundMaxFrames,
                             long outboundMaxBytes, int badFramesPerMinute, int publishesPerSecond,
                             int clientPublishesPerSecond,
                             int rateLimitedCloseAfter, int pollDefaultWaitS, int pollMaxWaitS, int pollMaxMessages,
                             int pollMaxChannels, int pollMaxInFlight, long moveJitterMs, long drainTimeoutMs, long readyHoldMs,
                             String adminToken, EdgeGuards guards) {
    }

    public NodeSettings nodeSettings(String nodeName) {
        return nodeSettings(nodeName, null);
    }

    /**
     * The settings of one node, its cluster port bound to {@code clusterBindHost} instead of the configured one when
     * that is not null (the node's {@code --cluster-bind-host}: a pod's IP is known only when the pod starts).
     *
     * @throws ConfigException when the node is not configured or {@code clusterBindHost} is not an IP address
     */
    public NodeSettings nodeSettings(String nodeName, String clusterBindHost) {
        for (RegionConfig region : regions) {
            for (NodeConfig node : region.nodes()) {
                if (node.name().equals(nodeName)) {
                    return settingsFor(region, clusterBindHost == null ? node : new NodeConfig(node.name(),
                            node.host(), node.bindHost(), node.edgePort(), node.relayPort(), node.clusterPort(),
                            node.relayAdvertise(), GatewayConfigLoader.clusterBindHost(clusterBindHost,
                            "--cluster-bind-host"), node.adminPort()));
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
                t.moveJitterMs(), t.drainTimeoutMs(), t.readyHoldMs(), t.adminToken(),
                t.guards().withAdminPort(t.guards().adminBindHost(), node.adminPort()));
        List<String> members = new ArrayList<>();
        List<String> peers = new ArrayList<>();
        for (NodeConfig other : region.nodes()) {
            members.add(other.host() + ":" + other.clusterPort());
            if (!other.name().equals(node.name())) {
                peers.add((tls != null ? "wss://" : "ws://") + other.host() + ":" + other.edgePort() + "/v1/ws");
            }
        }
        HazelcastSettings cluster = new HazelcastSettings("meshgate-" + region.name(), node.clusterBindHost(), node.host(),
                node.clusterPort(), members, backupCount, backupAckTimeoutMs, memberTimeoutMs,
                region.kubernetesServiceDns(), clusterSecret);
        // One region has no mesh, but its relay port still takes mesh.tls (it must, unless it binds loopback).
        MeshSettings meshSettings = regions.size() < 2 ? null : meshSettings(region, node.name());
        RelaySettings relay = new RelaySettings(region.name(), node.name(), node.bindHost(), node.host(),
                node.relayPort(), cluster, history, publishBatchMax, publishQueueMax, meshSettings, mesh.tls());
        return new NodeSettings(edgeSettings, relay, auth, delivery, node.bindHost(), peers, tls,
                meshSettings == null ? Map.of() : regionUrls());
    }

    private MeshSettings meshSettings(RegionConfig self, String nodeName) {
        Map<String, List<PeerAddress>> peerRelays = new TreeMap<>();
        Map<String, Long> emulated = new TreeMap<>();
        for (RegionConfig other : regions) {
            if (other.name().equals(self.name())) {
                continue;
            }
            List<PeerAddress> addresses = new ArrayList<>();
            other.nodes().forEach(n -> addresses.add(n.relayAddress()));
            peerRelays.put(other.name(), addresses);
            Long rtt = mesh.emulatedRttMs().get(MeshConfig.pairKey(self.name(), other.name()));
            if (rtt != null && rtt > 0) {
                emulated.put(other.name(), rtt);
            }
        }
        return new MeshSettings(self.name(), peerRelays, mesh.durability(), mesh.heartbeatMs(),
                mesh.downAfterMissed(), mesh.upAfterGood(), mesh.linkQueueMax(), mesh.requestTimeoutMs(),
                mesh.reconnectMaxMs(), mesh.failbackHoldMs(), emulated, mesh.tls(), mesh.overridesFile(nodeName));
    }

    /** Every region's public base URL: its configured publicUrl, else its first node's own address. */
    public Map<String, String> regionUrls() {
        Map<String, String> urls = new TreeMap<>();
        for (RegionConfig r : regions) {
            NodeConfig first = r.nodes().get(0);
            urls.put(r.name(), r.publicUrl() != null ? r.publicUrl()
                    : (tls != null ? "https://" : "http://") + first.host() + ":" + first.edgePort());
        }
        return urls;
    }
}

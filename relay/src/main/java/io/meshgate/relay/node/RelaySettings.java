package io.meshgate.relay.node;

import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.link.LinkTlsSettings;
import io.meshgate.relay.mesh.MeshSettings;
import io.meshgate.relay.mesh.PeerAddress;
import io.meshgate.relay.region.HazelcastSettings;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one node's relay runs with, checked as a whole when it is built: a {@link RelayNode} never starts
 * from settings that contradict each other. Each refusal is an {@link IllegalArgumentException} whose message
 * starts with the configuration key to fix (the names of docs/configuration.md), so a hand-built settings object
 * and a YAML file fail the same way.
 *
 * @param region          this node's region ({@code regions[].name})
 * @param node            this node's name ({@code regions[].nodes[].name})
 * @param bindHost        the address the relay's gRPC port binds ({@code bindHost})
 * @param advertiseHost   the host the region's other nodes reach this node's relay port by ({@code host})
 * @param relayPort       the relay gRPC port, 0 for any free one ({@code relayPort})
 * @param cluster         how the node joins its region's Hazelcast cluster
 * @param history         per-channel history and dedup bounds ({@code history.*})
 * @param publishBatchMax publishes of one channel sequenced in one batch ({@code publish.batchMax})
 * @param publishQueueMax publishes of one channel waiting at this node before new ones are refused
 *                        ({@code publish.queueMax})
 * @param mesh            the mesh to other regions, or null when the deployment has one region
 * @param relayTls        mutual TLS for the relay port (the mesh's own when there is one), or null: then the relay
 *                        refuses to start unless it binds loopback ({@code mesh.tls})
 */
public record RelaySettings(String region, String node, String bindHost, String advertiseHost, int relayPort,
                            HazelcastSettings cluster, HistoryLimits history, int publishBatchMax, int publishQueueMax,
                            MeshSettings mesh, LinkTlsSettings relayTls) {

    public RelaySettings {
        require(region != null && !region.isBlank(), "regions[].name: the node's region must be named");
        require(node != null && !node.isBlank(), "regions[].nodes[].name: the node must be named");
        require(bindHost != null && !bindHost.isBlank(), "bindHost: the relay needs an address to bind");
        require(advertiseHost != null && !advertiseHost.isBlank(),
                "host: the relay needs the host its region's other nodes reach it by");
        require(relayPort >= 0 && relayPort <= 65_535, "relayPort must be 0..65535, was " + relayPort);
        require(history != null, "history: the history limits must be given");
        require(publishBatchMax >= 1, "publish.batchMax must be at least 1, was " + publishBatchMax);
        require(publishQueueMax >= 1, "publish.queueMax must be at least 1, was " + publishQueueMax);
        checkCluster(cluster);
        if (mesh != null) {
            checkMesh(region, mesh);
            require(Objects.equals(relayTls, mesh.tls()),
                    "mesh.tls: the relay port must use the mesh's own TLS settings");
        }
    }

    private static void checkCluster(HazelcastSettings cluster) {
        require(cluster != null, "cluster: the region's cluster settings must be given");
        require(cluster.clusterName() != null && !cluster.clusterName().isBlank(),
                "cluster: the region's cluster needs a name");
        require(cluster.port() >= 0 && cluster.port() <= 65_535,
                "clusterPort must be 0..65535, was " + cluster.port());
        require(cluster.backupCount() >= 0 && cluster.backupCount() <= 6,
                "cluster.backupCount must be 0..6, was " + cluster.backupCount());
        require(cluster.kubernetesServiceDns() != null || (cluster.members() != null && !cluster.members().isEmpty()),
                "regions[].nodes: the region's cluster needs its member list (or regions[].kubernetesServiceDns)");
    }

    private static void checkMesh(String region, MeshSettings mesh) {
        require(region.equals(mesh.region()), "regions[].name: the mesh is set up for region " + mesh.region()
                + " but the node is in region " + region);
        require(!mesh.peers().containsKey(region), "regions[].name: region " + region + " is listed as its own peer");
        for (Map.Entry<String, List<PeerAddress>> peer : mesh.peers().entrySet()) {
            require(!peer.getValue().isEmpty(), "regions[].nodes: peer region " + peer.getKey()
                    + " has no node whose relay this region could dial");
        }
        require(mesh.durability() != null, "mesh.durability must be 'region' or 'local'");
        require(mesh.heartbeatMs() > 0, "mesh.heartbeatMs must be positive, was " + mesh.heartbeatMs());
        require(mesh.downAfterMissed() >= 1, "mesh.downAfterMissed must be at least 1, was "
                + mesh.downAfterMissed());
        require(mesh.upAfterGood() >= 1, "mesh.upAfterGood must be at least 1, was " + mesh.upAfterGood());
        require(mesh.linkQueueMax() >= 1, "mesh.linkQueueMax must be at least 1, was " + mesh.linkQueueMax());
        require(mesh.requestTimeoutMs() > 0, "mesh.requestTimeoutMs must be positive, was "
                + mesh.requestTimeoutMs());
        require(mesh.reconnectMaxMs() > 0, "mesh.reconnectMaxMs must be positive, was " + mesh.reconnectMaxMs());
        require(mesh.failbackHoldMs() >= 0, "mesh.failbackHoldMs must not be negative, was "
                + mesh.failbackHoldMs());
    }

    private static void require(boolean holds, String refusal) {
        if (!holds) {
            throw new IllegalArgumentException("invalid relay settings: " + refusal);
        }
    }
}

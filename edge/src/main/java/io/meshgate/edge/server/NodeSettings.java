package io.meshgate.edge.server;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.delivery.FeedSettings;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.link.LinkTlsSettings;
import io.meshgate.relay.mesh.MeshSettings;
import io.meshgate.relay.region.HazelcastSettings;

import java.util.List;
import java.util.Map;

/**
 * Everything one node runs with.
 *
 * @param bindHost            the address the edge and the relay bind (an IP of this machine, or 0.0.0.0); the
 *                            edge's {@code host} is what clients are told
 * @param relayPort           the relay gRPC port (0 picks a free one)
 * @param publishBatchMax     publishes of one channel sent to the sequencer in one batch
 * @param publishQueueMax     publishes of one channel waiting at this node before new ones are refused
 * @param peerWsUrls          WebSocket URLs of the region's other nodes, offered to clients in {@code move}
 * @param tls                 the edge's certificate, or null for plain HTTP/WebSocket
 * @param mesh                the relay mesh to other regions, or null when the deployment has one region
 * @param regionUrls          every region's public base URL (http or https), for {@code /v1/regions}
 * @param relayTls            mutual TLS for the relay port (the mesh's own when there is one), or null: then the
 *                            node refuses to start unless the relay binds loopback
 */
public record NodeSettings(EdgeSettings edge, HazelcastSettings hazelcast, HistoryLimits history, AuthSettings auth,
                           FeedSettings feeds, String bindHost, int relayPort, int publishBatchMax, int publishQueueMax,
                           List<String> peerWsUrls, TlsSettings tls, MeshSettings mesh,
                           Map<String, String> regionUrls, LinkTlsSettings relayTls) {

    /** One region, no mesh. */
    public NodeSettings(EdgeSettings edge, HazelcastSettings hazelcast, HistoryLimits history, AuthSettings auth,
                        FeedSettings feeds, String bindHost, int relayPort, int publishBatchMax, int publishQueueMax,
                        List<String> peerWsUrls, TlsSettings tls) {
        this(edge, hazelcast, history, auth, feeds, bindHost, relayPort, publishBatchMax, publishQueueMax, peerWsUrls,
                tls, null, Map.of(), null);
    }

    public NodeSettings withMesh(MeshSettings meshSettings, Map<String, String> urls) {
        return new NodeSettings(edge, hazelcast, history, auth, feeds, bindHost, relayPort, publishBatchMax,
                publishQueueMax, peerWsUrls, tls, meshSettings, Map.copyOf(urls), meshSettings.tls());
    }

    /** The same node with mutual TLS on its relay port (for a one-region deployment, which has no mesh). */
    public NodeSettings withRelayTls(LinkTlsSettings linkTls) {
        return new NodeSettings(edge, hazelcast, history, auth, feeds, bindHost, relayPort, publishBatchMax,
                publishQueueMax, peerWsUrls, tls, mesh, regionUrls, linkTls);
    }
}

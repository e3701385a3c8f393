package io.meshgate.edge.server;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.delivery.FeedSettings;
import io.meshgate.relay.node.RelaySettings;

import java.util.List;
import java.util.Map;

/**
 * Everything one node runs with: the edge's own settings and its relay's (already validated, see
 * {@link RelaySettings}). Built by the regions module from the configuration, or by tests.
 *
 * @param edge       the edge (Undertow, sessions, transports)
 * @param relay      the relay (Hazelcast, store, sequencing, mesh, gRPC)
 * @param bindHost   the address the edge binds (an IP of this machine, or 0.0.0.0); the edge's {@code host} is what
 *                   clients are told
 * @param peerWsUrls WebSocket URLs of the region's other nodes, offered to clients in {@code move}
 * @param tls        the edge's certificate, or null for plain HTTP/WebSocket
 * @param regionUrls every region's public base URL (http or https), for {@code /v1/regions}; empty without a mesh
 */
public record NodeSettings(EdgeSettings edge, RelaySettings relay, AuthSettings auth, FeedSettings feeds,
                           String bindHost, List<String> peerWsUrls, TlsSettings tls,
                           Map<String, String> regionUrls) {

    public NodeSettings {
        if (!edge.region().equals(relay.region()) || !edge.node().equals(relay.node())) {
            throw new IllegalArgumentException("the edge is node " + edge.region() + "/" + edge.node()
                    + " but its relay is node " + relay.region() + "/" + relay.node());
        }
        peerWsUrls = peerWsUrls == null ? List.of() : List.copyOf(peerWsUrls);
        regionUrls = regionUrls == null ? Map.of() : Map.copyOf(regionUrls);
    }
}

package io.meshgate.regions.ops;

import java.util.Map;

/**
 * One node as the status command saw it. Counts are -1 when the node did not answer.
 *
 * @param readyReason null when ready, else why not ("draining", "unreachable: ...")
 * @param linksUp     this node's region's link to each peer region: up (directly or relayed) or not; empty
 *                    without a mesh or when the node did not answer
 * @param rttMs       the mesh's RTT matrix as this node knows it, in ms: row = measuring region; NaN when not
 *                    measured yet
 */
public record NodeStatus(String region, String node, String url, String readyReason, long regionMembers,
                         long webSocketClients, long channels, long publishesInFlight, Map<String, Boolean> linksUp,
                         Map<String, Map<String, Double>> rttMs) {

    static NodeStatus unreachable(String region, String node, String url, String reason) {
        return new NodeStatus(region, node, url, reason, -1, -1, -1, -1, Map.of(), Map.of());
    }

    public boolean ready() {
        return readyReason == null;
    }
}

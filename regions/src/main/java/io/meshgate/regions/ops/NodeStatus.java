package io.meshgate.regions.ops;

/**
 * One node as the status command saw it. Counts are -1 when the node did not answer.
 *
 * @param readyReason null when ready, else why not ("draining", "unreachable: ...")
 */
public record NodeStatus(String region, String node, String url, String readyReason, long regionMembers,
                         long webSocketClients, long channels, long publishesInFlight) {

    public boolean ready() {
        return readyReason == null;
    }
}

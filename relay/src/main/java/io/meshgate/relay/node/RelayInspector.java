package io.meshgate.relay.node;

import java.util.Map;

/**
 * Read-only views of the relay for the admin API ({@code GET /admin/mesh}, {@code GET /admin/channel}). Safe on
 * any thread; plain values ready for JSON; changes nothing.
 */
public interface RelayInspector {

    /** Links, liveness, leadership and round trips as this node sees the mesh; null when it runs no mesh. */
    Map<String, Object> meshStatus();

    /** This region's view of one channel (see {@code ChannelInspector}); null when the node runs no mesh. */
    Map<String, Object> describeChannel(String channel);
}

package io.meshgate.relay.node;

import java.util.Set;
import java.util.SortedMap;

/**
 * What the status page shares with, and reads from, the other nodes of its region: each node's row (its
 * connections and rates), and which channels the region holds. Every call goes to the region's cluster and may
 * block on it; the status board calls them on its own thread, a few times a second at most.
 */
public interface RegionBoard {

    /** Publishes this node's row; it disappears {@code ttlSeconds} after the last publish (a node that stopped). */
    void publishRow(String node, String rowJson, long ttlSeconds);

    /** Every node's row that has not expired, by node name. */
    SortedMap<String, String> rows();

    /** How many channels the region holds. */
    int channelCount();

    /** The names of the channels the region holds: a key scan of the whole region, so called rarely. */
    Set<String> channelNames();
}

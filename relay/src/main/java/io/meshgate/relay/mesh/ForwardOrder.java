package io.meshgate.relay.mesh;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The home's side of G6 across reroutes: per forwarding leader session and channel, the highest
 * {@code PublishForward.origin_order} taken. A publish below it was overtaken by a later one on another path (it
 * timed out at its sender, which nacked it) and is refused, so it is never sequenced after publishes sent after it.
 *
 * <p>Bounded: the {@code max} most recently used (session, channel) pairs are remembered; an older pair is forgotten,
 * which only loses the check for a session that has been silent on that channel for that long. Thread-safe by its
 * monitor; called on transport threads as forwards arrive, in arrival order.
 */
final class ForwardOrder {
    private final LinkedHashMap<String, Long> highest;

    ForwardOrder(int max) {
        this.highest = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > max;
            }
        };
    }

    /** True when the publish may be taken (and records it); false when a later one from the session came first. */
    synchronized boolean admit(String session, String channel, long order) {
        if (session.isEmpty() || order == 0) {
            return true;
        }
        String key = session + '\n' + channel;
        Long seen = highest.get(key);
        if (seen != null && order < seen) {
            return false;
        }
        highest.put(key, order);
        return true;
    }
}

package io.meshgate.edge.delivery;

/**
 * @param pageSize          messages per history read when a subscriber or a feed catches up
 * @param maxPending        out-of-order messages a feed holds while it fills a hole; beyond it they are dropped and
 *                          re-read from history
 * @param routeLingerMs     how long a feed keeps its route after its last subscriber left (spares long-poll churn)
 * @param probeIntervalMs   how often recently active feeds check the head for a message whose fan-out was lost
 * @param slowConsumerMs    how long a subscriber's transport may stay without room (its outbound queue at least
 *                          half full) before it counts as reading too slowly and is closed (WebSocket 4008)
 */
public record FeedSettings(int pageSize, int maxPending, long routeLingerMs, long probeIntervalMs,
                           long slowConsumerMs) {
    public static final FeedSettings DEFAULTS = new FeedSettings(200, 10_000, 30_000, 5_000, 10_000);
}

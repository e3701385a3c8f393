package io.meshgate.edge.delivery;

/**
 * @param pageSize          messages per history read when a subscriber or a feed catches up
 * @param maxPending        out-of-order messages a feed holds while it fills a hole; beyond it they are dropped and
 *                          re-read from history
 * @param routeLingerMs     how long a feed keeps its route after its last subscriber left (spares long-poll churn)
 * @param probeIntervalMs   how often recently active feeds check the head for a message whose fan-out was lost
 */
public record FeedSettings(int pageSize, int maxPending, long routeLingerMs, long probeIntervalMs) {
    public static final FeedSettings DEFAULTS = new FeedSettings(200, 10_000, 30_000, 5_000);
}

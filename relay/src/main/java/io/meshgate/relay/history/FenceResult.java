package io.meshgate.relay.history;

import java.io.Serializable;
import java.util.List;

/**
 * A region's answer to a reconciling home: whether it promised the fence, the fence it holds now, its durable mark,
 * what it holds of the channel (undurable messages included), the ids it remembers (at most
 * {@link FenceProcessor#MAX_SEEN_IDS}, the most recent) and whether it has subscribers of the channel.
 */
public record FenceResult(boolean granted, long fence, long durable, Range held, List<SeenId> seenIds,
                          boolean interested) implements Serializable {
}

package io.meshgate.relay.history;

import java.io.Serializable;

/**
 * A publisher id a region remembers for dedup and the position it was sequenced at: what a reconciling home learns
 * from the other regions, so that an id sequenced under an earlier home (or before this region restarted empty) is
 * never sequenced again.
 */
public record SeenId(String id, String epoch, long seq, long ts) implements Serializable {
}

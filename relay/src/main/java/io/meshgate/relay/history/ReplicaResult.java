package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What storing a home's messages in this region did: the replica's head after it, the messages appended (in seq
 * order), the region's routes, and {@code missingAfter >= 0} when the messages did not follow the head (the replica
 * needs seqs after {@code missingAfter} from the home first; 0 for a replica that holds nothing yet), else
 * {@link #NO_HOLE}. {@code refusedByFence > 0}: nothing was stored, because
 * this region promised a newer home to refuse the sender's term.
 */
public record ReplicaResult(String epoch, long head, List<Message> appended, Set<UUID> routes, long missingAfter,
                            long refusedByFence) implements Serializable {

    public boolean refused() {
        return refusedByFence > 0;
    }

    /** {@link #missingAfter} when the messages followed the head. */
    public static final long NO_HOLE = -1;

    public boolean hasHole() {
        return missingAfter >= 0;
    }
}

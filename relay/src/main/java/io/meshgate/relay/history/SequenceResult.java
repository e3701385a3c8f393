package io.meshgate.relay.history;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The answer of one sequencing step: an outcome per request, in request order, and the region members that had
 * subscribers of the channel at that moment (read in the same atomic step, so a subscriber whose route was added
 * before a message was sequenced is always among them), and the channel's durable mark after the step.
 *
 * @param needsReconcile nothing was sequenced: in a mesh, this region does not own the channel's current term and
 *                       must reconcile it with the other regions first (see {@link ChannelStore#adopt})
 * @param term           the term the messages were sequenced in (0 outside a mesh)
 * @param retentionOverflow messages above the channel's retention floor (still needed by a lagging region) that
 *                       this step's trim dropped because history reached a hard bound (see {@link ChannelState#trim})
 */
public record SequenceResult(List<Sequenced> outcomes, Set<UUID> routes, long durable, boolean needsReconcile,
                             long term, int retentionOverflow) implements Serializable {

    static SequenceResult reconcileFirst() {
        return new SequenceResult(List.of(), Set.of(), 0, true, 0, 0);
    }

    /** The highest seq among the outcomes: what must be durable before any of them is acked. */
    public long highestSeq() {
        long max = 0;
        for (Sequenced outcome : outcomes) {
            max = Math.max(max, outcome.position().seq());
        }
        return max;
    }
}

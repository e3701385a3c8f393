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
 * @param headUnknown nothing was sequenced: the caller asked for a known head and the region holds none for the
 *                    channel (see {@link ChannelStore#recover})
 */
public record SequenceResult(List<Sequenced> outcomes, Set<UUID> routes, long durable, boolean headUnknown)
        implements Serializable {

    static SequenceResult unknownHead() {
        return new SequenceResult(List.of(), Set.of(), 0, true);
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

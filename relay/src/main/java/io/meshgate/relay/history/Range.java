package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;

import java.io.Serializable;
import java.util.List;

/**
 * A read of a channel: its epoch and head at the moment of the read, and messages after a requested seq.
 * When {@code gapFrom > 0}, seqs {@code gapFrom..gapTo} are no longer held and {@code messages} start after them.
 * {@code term}: the sequencer generation whose messages the region holds (see {@link ChannelState#term()});
 * {@code owner}: the region that owns that term as home, when the reading region knows it is itself (else null).
 */
public record Range(String epoch, long head, List<Message> messages, long gapFrom, long gapTo, long term,
                    String owner) implements Serializable {

    /** A read outside the mesh, where terms and owners do not matter. */
    public Range(String epoch, long head, List<Message> messages, long gapFrom, long gapTo) {
        this(epoch, head, messages, gapFrom, gapTo, 0, null);
    }

    public boolean hasGap() {
        return gapFrom > 0;
    }

    /** The highest seq this read covers for a reader: the last message returned, or the end of the gap. */
    public long lastCovered(long afterSeq) {
        long last = afterSeq;
        if (hasGap()) {
            last = Math.max(last, gapTo);
        }
        if (!messages.isEmpty()) {
            last = Math.max(last, messages.get(messages.size() - 1).seq());
        }
        return last;
    }

    public static Range empty(String epoch) {
        return new Range(epoch, 0, List.of(), 0, 0);
    }
}

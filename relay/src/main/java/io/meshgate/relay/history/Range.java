package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;

import java.io.Serializable;
import java.util.List;

/**
 * A read of a channel: its epoch and head at the moment of the read, and messages after a requested seq.
 * When {@code gapFrom > 0}, seqs {@code gapFrom..gapTo} are no longer held and {@code messages} start after them.
 */
public record Range(String epoch, long head, List<Message> messages, long gapFrom, long gapTo)
        implements Serializable {

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

package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;
import io.meshgate.relay.channel.Message;

import java.util.List;
import java.util.Map;

/**
 * Gives a home that holds nothing of a channel (its region restarted from empty state) the channel's head and
 * recent history as other regions hold them, before it sequences anything: seqs then continue where they stopped
 * instead of starting over at 1, and ids already used still dedup. The sequencer takes a new epoch (this region's),
 * since it is a new sequencer; the adopted messages keep theirs. Does nothing when the channel has a head by now.
 * Deterministic from its fields, so the backup applies the same processor.
 */
final class RecoverProcessor implements EntryProcessor<String, ChannelState, Long> {
    private static final long serialVersionUID = 1L;

    private final List<Message> tail;
    private final long head;
    private final String epoch;
    private final HistoryLimits limits;
    private final long now;

    RecoverProcessor(List<Message> tail, long head, String epoch, HistoryLimits limits, long now) {
        this.tail = List.copyOf(tail);
        this.head = head;
        this.epoch = epoch;
        this.limits = limits;
        this.now = now;
    }

    @Override
    public Long process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state != null && state.head() > 0) {
            return state.head();
        }
        if (head <= 0) {
            return 0L;
        }
        if (state == null) {
            state = new ChannelState(epoch);
        }
        // The tail is contiguous and ends at the head; anything before it is gone, as a gap for readers.
        long first = tail.isEmpty() ? head + 1 : tail.get(0).seq();
        state.resetTo(first - 1);
        for (Message m : tail) {
            if (m.seq() == state.head() + 1) {
                state.append(m, limits, now);
            }
        }
        if (state.head() < head) {
            state.resetTo(head);
        }
        state.adoptEpoch(epoch);
        entry.setValue(state);
        return state.head();
    }

    @Override
    public EntryProcessor<String, ChannelState, Long> getBackupProcessor() {
        return this;
    }
}
